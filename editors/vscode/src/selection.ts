/** Builds the question `Punie: Ask About Selection` sends: the selected code with its file and range. */

export interface SelectionContext {
  /** Path relative to the workspace root (or absolute when outside it). */
  path: string;
  languageId: string;
  /** 1-based, inclusive. */
  startLine: number;
  endLine: number;
  text: string;
}

/** The chat message for a question about a selection. */
export function selectionQuestion(question: string, selection: SelectionContext): string {
  const lines =
    selection.startLine === selection.endLine
      ? `line ${selection.startLine}`
      : `lines ${selection.startLine}-${selection.endLine}`;
  const fence = selection.text.includes("```") ? "~~~~" : "```";
  return `${question.trim()}\n\nIn ${selection.path}, ${lines}:\n${fence}${selection.languageId}\n${selection.text}\n${fence}`;
}
