// The lesson-generation processor: outline, then one section at a time, then
// save; it reports each step as an object progress.
import type { Job } from '../../shared/ferroq'
import type { LessonAuthor } from './author'
import type { LessonGenerationJobData, LessonGenerationResult, LessonProgress, LessonSection } from './types'

export type LessonJob = Job<LessonGenerationJobData, LessonGenerationResult>

/** Returns the processor for a worker; `author` is the AI (simulated by default). */
export function lessonProcessor(author: LessonAuthor) {
  return async (job: LessonJob): Promise<LessonGenerationResult> => {
    const { data } = job
    const report = (p: LessonProgress) => job.updateProgress(p)
    try {
      await report({ step: 'outlining', percentage: 5, message: `Outlining "${data.topic}"...` })
      const titles = await author.outline(data)
      const sections: LessonSection[] = []
      for (const [i, title] of titles.entries()) {
        const index = i + 1
        await report({
          step: 'generating_sections',
          // Sections share 10%..90% of the bar.
          percentage: 10 + Math.round((80 * i) / titles.length),
          message: `Generating section ${index}/${titles.length}...`,
          currentSection: { index, total: titles.length, title },
        })
        sections.push({ title, content: await author.writeSection(data, title, index) })
      }
      // The real app stores the lesson and its sections in its database here.
      await report({ step: 'saving', percentage: 95, message: 'Saving lesson...' })
      await report({ step: 'done', percentage: 100, message: `Lesson ready: ${sections.length} sections` })
      return { lessonId: job.id!, title: data.topic, difficulty: data.difficulty, sections }
    } catch (err) {
      // Context goes to the job's log (seed: "log errors with context"); the
      // failedReason stays the AI's own message.
      const reason = err instanceof Error ? err.message : String(err)
      await job.log(`attempt ${job.attemptsMade + 1} failed for user ${data.userId}, topic "${data.topic}" (${data.triggerSource}): ${reason}`)
      throw err
    }
  }
}
