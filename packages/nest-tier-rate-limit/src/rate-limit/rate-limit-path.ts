/**
 * The path part of a request URL: everything before `?` or `#`.
 * @example requestPath('/api/v1/widgets?page=2') // '/api/v1/widgets'
 */
export function requestPath(url: string): string {
  const end = url.search(/[?#]/);
  return end === -1 ? url : url.slice(0, end);
}

/**
 * The form paths take in keys and rules: leading and trailing `/` stripped, every other `/`
 * replaced by `_`.
 * @example sanitizePath('/api/v1/users/42') // 'api_v1_users_42'
 */
export function sanitizePath(path: string): string {
  let start = 0;
  let end = path.length;
  while (start < end && path.charCodeAt(start) === 47) start += 1;
  while (end > start && path.charCodeAt(end - 1) === 47) end -= 1;
  return path.slice(start, end).replaceAll('/', '_');
}

/**
 * A route template in rule form: `:param` segments become `{param}`, then {@link sanitizePath}.
 * @example sanitizeRouteTemplate('/api/v1/widgets/:id') // 'api_v1_widgets_{id}'
 */
export function sanitizeRouteTemplate(template: string): string {
  return sanitizePath(template.replace(/:([A-Za-z0-9_]+)/g, '{$1}'));
}
