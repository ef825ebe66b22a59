/** 1 → "1st", 2 → "2nd", 11 → "11th". */
export function ordinal(n: number): string {
  const tens = n % 100
  const suffix = tens >= 11 && tens <= 13 ? 'th' : ({ 1: 'st', 2: 'nd', 3: 'rd' }[n % 10] ?? 'th')
  return `${n}${suffix}`
}

/** fal's queue position counts from 0 (next to run); people count from 1. */
export const queueText = (falPosition: number) => `${ordinal(falPosition + 1)} in fal's queue`
