/**
 * Small server-rendered pages for a customer's browser (the Affirm return pages): plain,
 * accessible HTML, every value escaped, a strict Content-Security-Policy (no script at all, unless
 * a page names the one origin it loads a script from: Lyra's pay page).
 */

import type { HttpResult } from './types.ts';

const ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c] ?? c);
}

const STYLE =
  'body{font:16px/1.5 system-ui,sans-serif;margin:0;padding:2rem 1rem;color:#1a1a1a;background:#fafafa}' +
  'main{max-width:34rem;margin:0 auto;background:#fff;padding:1.5rem;border-radius:8px;border:1px solid #ddd}' +
  'h1{font-size:1.4rem;margin-top:0}';

/** The policy of a page without any script: inline style only, nothing loaded, no form posted. */
const NO_SCRIPT_POLICY = "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'";

export interface HtmlPage {
  status: number;
  title: string;
  /** Plain text, escaped here. */
  paragraphs: string[];
  /** Markup added to the head and after the paragraphs: the caller escapes what it puts there. */
  head?: string;
  body?: string;
  /** The Content-Security-Policy; no script, nothing loaded, no form unless given. */
  policy?: string;
}

/** A page with a heading, paragraphs of plain text (escaped here), and whatever the caller adds. */
export function htmlPage({ status, title, paragraphs, head = '', body = '', policy }: HtmlPage): HttpResult {
  const html = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title><style>${STYLE}</style>${head}</head>
<body><main><h1>${escapeHtml(title)}</h1>
${paragraphs.map((p) => `<p>${escapeHtml(p)}</p>`).join('\n')}${body}
</main></body></html>`;
  return {
    statusCode: status,
    headers: {
      'content-type': 'text/html; charset=utf-8',
      // No page of the hub may be framed by another site (a card form under someone else's page
      // is clickjacking); X-Frame-Options for browsers that ignore frame-ancestors.
      'content-security-policy': `${policy ?? NO_SCRIPT_POLICY}; frame-ancestors 'none'`,
      'x-frame-options': 'DENY',
      'x-content-type-options': 'nosniff',
      'cache-control': 'no-store',
      'referrer-policy': 'no-referrer',
    },
    body: html,
  };
}

/** A page with a heading and paragraphs of plain text, and no script. */
export function page(status: number, title: string, paragraphs: string[]): HttpResult {
  return htmlPage({ status, title, paragraphs });
}
