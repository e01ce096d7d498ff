/**
 * Loading and error states. An error from the API is shown with its problem details (title,
 * detail, the offending fields) and a way to try again, never as a blank area.
 */
import { ApiProblem } from '../data/api-client.js';
import { escapeHtml } from '../render/format.js';

export function showLoading(el: HTMLElement, what: string): void {
  el.hidden = false;
  el.className = 'status status-loading';
  el.setAttribute('role', 'status');
  el.innerHTML = `<span class="spinner" aria-hidden="true"></span> Loading ${escapeHtml(what)}…`;
}

export function clearStatus(el: HTMLElement): void {
  el.hidden = true;
  el.className = 'status';
  el.innerHTML = '';
}

export function showMessage(el: HTMLElement, html: string): void {
  el.hidden = false;
  el.className = 'status status-message';
  el.setAttribute('role', 'status');
  el.innerHTML = html;
}

/** Show an error; `retry` adds a button that runs it. */
export function showError(el: HTMLElement, err: unknown, retry?: () => void): void {
  el.hidden = false;
  el.className = 'status status-error';
  el.setAttribute('role', 'alert');
  const problem = err instanceof ApiProblem ? err.problem : null;
  const title = problem?.title ?? 'Something went wrong';
  const detail = problem?.detail ?? (err instanceof Error ? err.message : String(err));
  const status = problem && problem.status >= 400 ? `<span class="problem-status">${problem.status}</span> ` : '';
  const fieldItems = (problem?.errors ?? []).map((f) => `<li><code>${escapeHtml(f.path)}</code>: ${escapeHtml(f.message)}</li>`);
  const fields = fieldItems.length ? `<ul class="problem-errors">${fieldItems.join('')}</ul>` : '';
  el.innerHTML = `<p class="problem-title">${status}${escapeHtml(title)}</p><p class="problem-detail">${escapeHtml(detail)}</p>${fields}`;
  if (retry) {
    const button = document.createElement('button');
    button.type = 'button';
    button.textContent = 'Try again';
    button.addEventListener('click', retry);
    el.appendChild(button);
  }
}
