/** The shape of a failed zod `safeParse`, without importing zod into the app. */
interface ParseFailure {
  success: false;
  error: { issues: ReadonlyArray<{ path: ReadonlyArray<PropertyKey>; message: string; code?: string; received?: unknown }> };
}

/**
 * One readable line per problem, e.g. `window: the window must satisfy start < validationStart < end`.
 * A number field left empty (or not a number) reaches the check as NaN: it reads `enter a number`
 * rather than zod's `expected number, received NaN`.
 */
export function issueLines(result: { success: true } | ParseFailure): string[] {
  if (result.success) return [];
  return result.error.issues.map((issue) => {
    const path = issue.path.map(String).join('.');
    const message = issue.code === 'invalid_type' && issue.received === 'NaN' ? 'enter a number' : issue.message;
    return path ? `${path}: ${message}` : message;
  });
}
