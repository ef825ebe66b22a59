import { runCli } from './main'
import { processIo } from './output'

runCli(process.argv.slice(2), processIo).then(
  (code) => {
    process.exitCode = code
  },
  (err: unknown) => {
    console.error(err)
    process.exitCode = 1
  },
)
