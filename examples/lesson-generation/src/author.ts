// The "AI service" that writes lessons. The real app calls a model over HTTP;
// this stand-in takes a fixed time per step, so progress is observable.
import { setTimeout as sleep } from 'node:timers/promises'
import type { LessonGenerationJobData, TiptapNode } from './types'

/** What the processor needs from an AI: an outline, then each section's body. */
export interface LessonAuthor {
  outline(data: LessonGenerationJobData): Promise<string[]>
  writeSection(data: LessonGenerationJobData, title: string, index: number): Promise<TiptapNode>
}

const SECTION_TITLES = ['Introduction', 'Core Idea', 'Understanding Scope', 'Worked Example', 'Common Pitfalls', 'Summary']
const SECTIONS_BY_DIFFICULTY = { intro: 3, standard: 5, advanced: 6 } as const

/** A simulated author that waits `stepDelayMs` per call and writes template text. */
export function simulatedAuthor(stepDelayMs: number): LessonAuthor {
  return {
    async outline(data) {
      await sleep(stepDelayMs)
      return SECTION_TITLES.slice(0, SECTIONS_BY_DIFFICULTY[data.difficulty])
    },
    async writeSection(data, title) {
      await sleep(stepDelayMs)
      return {
        type: 'doc',
        content: [
          { type: 'heading', attrs: { level: 2 }, content: [{ type: 'text', text: title }] },
          { type: 'paragraph', content: [{ type: 'text', text: `${title} of ${data.topic}, at ${data.difficulty} level.` }] },
        ],
      }
    },
  }
}
