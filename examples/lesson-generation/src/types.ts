// Shapes of the lesson-generation job: its input, progress and result.
import type { JobState } from '../../shared/ferroq'

export type LessonDifficulty = 'intro' | 'standard' | 'advanced'

/** What the app enqueues (seed: enqueueLessonGeneration({ userId, topic, ... })). */
export interface LessonGenerationJobData {
  userId: number | string
  topic: string
  difficulty: LessonDifficulty
  /** Where the request came from, e.g. `chat`; kept for logs. */
  triggerSource: string
  context?: string
}

export type LessonStep = 'outlining' | 'generating_sections' | 'saving' | 'done'

/** The object a running job reports through job.updateProgress. */
export interface LessonProgress {
  step: LessonStep
  percentage: number
  message: string
  currentSection?: { index: number; total: number; title: string }
}

/** A Tiptap (ProseMirror) JSON node, the format the seed's AI service returns. */
export interface TiptapNode {
  type: string
  attrs?: Record<string, unknown>
  text?: string
  content?: TiptapNode[]
}

export interface LessonSection {
  title: string
  content: TiptapNode
}

/** What a completed job returns (its `returnvalue`). */
export interface LessonGenerationResult {
  lessonId: string
  title: string
  difficulty: LessonDifficulty
  sections: LessonSection[]
}

/** The job's state in BullMQ's words; `unknown` when there is no such job (never added, or removed). */
export type LessonJobState = JobState | 'unknown'

/** getLessonGenerationJobStatus's answer. */
export interface LessonJobStatus {
  id: string
  state: LessonJobState
  /** null until the worker reports its first step. */
  progress: LessonProgress | null
  result: LessonGenerationResult | null
  failedReason: string | null
  attemptsMade: number
}

export interface LessonQueueMetrics {
  counts: { waiting: number; active: number; completed: number; failed: number; delayed: number }
}
