/**
 * What users call each render parameter: the app's control label and the CLI's flag. Messages
 * name the one the user typed or clicked; fal's field names (num_inference_steps) stay internal,
 * except in preset files, where the user wrote them.
 */
export const PARAM_NAMES: Record<string, { label: string; flag: string }> = {
  prompt: { label: 'Prompt', flag: '--prompt' },
  negative_prompt: { label: 'Negative prompt', flag: '--negative-prompt' },
  num_inference_steps: { label: 'Steps', flag: '--steps' },
  guidance_scale: { label: 'Guidance', flag: '--guidance' },
  seed: { label: 'Seed', flag: '--seed' },
  select_every_nth_frame: { label: 'Use every Nth frame', flag: '--nth' },
  loras: { label: 'LoRAs', flag: '--lora' },
  base_model: { label: 'Base model', flag: '--base-model' },
  // Not a fal parameter: how the finishing step joins segments.
  crossfade_frames: { label: 'Crossfade at borders', flag: '--crossfade' },
}

/** Who reads the message: the app (control labels), the CLI (flags), or a preset file (its keys). */
export type NameStyle = 'label' | 'flag' | 'field'

/** `loras.1.scale` → "LoRA 2 scale" / "--lora #2 scale" / "loras.1.scale". */
export function paramName(field: string, style: NameStyle): string {
  if (style === 'field') return field
  const lora = /^loras\.(\d+)(?:\.(\w+))?$/.exec(field)
  if (lora) {
    const n = Number(lora[1]) + 1
    const part = lora[2] === 'scale' ? ' scale' : ''
    return style === 'label' ? `LoRA ${n}${part}` : `--lora #${n}${part}`
  }
  const known = PARAM_NAMES[field]
  return known ? known[style] : field
}
