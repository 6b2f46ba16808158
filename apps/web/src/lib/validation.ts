/** The shape of a failed zod `safeParse`, without importing zod into the app. */
interface ParseFailure {
  success: false;
  error: { issues: ReadonlyArray<{ path: ReadonlyArray<PropertyKey>; message: string }> };
}

/** One readable line per problem, e.g. `window: the window must satisfy start < validationStart < end`. */
export function issueLines(result: { success: true } | ParseFailure): string[] {
  if (result.success) return [];
  return result.error.issues.map((issue) => {
    const path = issue.path.map(String).join('.');
    return path ? `${path}: ${issue.message}` : issue.message;
  });
}
