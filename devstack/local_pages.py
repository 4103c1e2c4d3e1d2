"""The pages behind the links in local emails (local stack only, never in the template).

Locally ``FRONTEND_URL`` is the stack itself, so ``/reset-password?token=...`` and
``/verify-email?token=...`` from the password-reset and verification emails open here: a small
form that POSTs the token (and the new password) as JSON to ``/api/v1/auth/reset-password`` or
``/api/v1/auth/verify-email`` and shows the API's answer. In production those paths belong to
the web app at ``FRONTEND_URL``.

The token is the only reflected input: it must look like one of ours (URL-safe characters) and is
HTML-escaped into a hidden field. The one script and the one style sheet are fixed texts allowed
by their hashes in a Content-Security-Policy that allows nothing else (no other script, frame,
image or form target). The page drops the token from the address bar as it loads, and
``Referrer-Policy: no-referrer`` keeps it out of any request the page makes.
"""

from __future__ import annotations

import base64
import hashlib
import html
import re
from dataclasses import dataclass
from urllib.parse import parse_qs

Page = tuple[int, list[tuple[str, str]], bytes]

_TOKEN = re.compile(r"[A-Za-z0-9_.~-]{16,512}")

_SCRIPT = """
(() => {
  const form = document.getElementById("form");
  const result = document.getElementById("result");
  history.replaceState(null, "", location.pathname);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const fields = new FormData(form);
    const body = { token: fields.get("token") };
    if (fields.has("password")) {
      if (fields.get("password") !== fields.get("confirm")) {
        result.className = "error";
        result.textContent = "The two passwords differ.";
        return;
      }
      body.password = fields.get("password");
    }
    form.querySelector("button").disabled = true;
    let answer = null;
    let status = 0;
    try {
      const response = await fetch(form.dataset.endpoint, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify(body),
      });
      status = response.status;
      answer = await response.json().catch(() => null);
    } catch (error) {
      answer = null;
    }
    const ok = status >= 200 && status < 300;
    result.className = ok ? "ok" : "error";
    result.textContent = ok
      ? form.dataset.done
      : (answer && answer.error && answer.error.message) || `The request failed (HTTP ${status}).`;
    form.hidden = ok;
    form.querySelector("button").disabled = false;
  });
})();
"""

_STYLE = """
body { font: 16px/1.5 system-ui, sans-serif; max-width: 28rem; margin: 3rem auto; padding: 0 1rem; }
label { display: block; margin: 0.75rem 0 0.25rem; }
input { width: 100%; padding: 0.4rem; box-sizing: border-box; }
button { margin-top: 1rem; padding: 0.5rem 1rem; }
.ok { color: #146c2e; } .error { color: #b3261e; }
small { color: #555; }
"""


def _sha256(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode()).digest()).decode() + "'"


SECURITY_HEADERS = [
    ("Content-Type", "text/html; charset=utf-8"),
    (
        "Content-Security-Policy",
        f"default-src 'none'; script-src {_sha256(_SCRIPT)}; style-src {_sha256(_STYLE)}; "
        "connect-src 'self'; form-action 'none'; base-uri 'none'; frame-ancestors 'none'",
    ),
    ("X-Content-Type-Options", "nosniff"),
    ("X-Frame-Options", "DENY"),
    ("Referrer-Policy", "no-referrer"),
    ("Cache-Control", "no-store"),
    ("Cross-Origin-Opener-Policy", "same-origin"),
]


@dataclass(frozen=True)
class _Form:
    title: str
    endpoint: str
    intro: str
    done: str
    button: str
    asks_password: bool


FORMS = {
    "/reset-password": _Form(
        title="Choose a new password",
        endpoint="/api/v1/auth/reset-password",
        intro="Every session of the account ends when the password changes.",
        done="Your password has been reset. Sign in with the new one.",
        button="Set the new password",
        asks_password=True,
    ),
    "/verify-email": _Form(
        title="Verify your email address",
        endpoint="/api/v1/auth/verify-email",
        intro="Confirm that this address is yours.",
        done="Your email address is verified.",
        button="Verify my email",
        asks_password=False,
    ),
}

_PASSWORD_FIELDS = """
    <label for="password">New password</label>
    <input id="password" name="password" type="password" autocomplete="new-password"
           minlength="8" maxlength="128" required>
    <small>8 to 128 characters, with a letter and a digit.</small>
    <label for="confirm">The same again</label>
    <input id="confirm" name="confirm" type="password" autocomplete="new-password" required>"""


def _document(title: str, body: str, *, script: bool = True) -> bytes:
    tail = f"  <script>{_SCRIPT}</script>\n" if script else ""
    return (
        "<!doctype html>\n"
        '<html lang="en">\n<head>\n  <meta charset="utf-8">\n'
        '  <meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"  <title>{html.escape(title)} (local)</title>\n  <style>{_STYLE}</style>\n</head>\n"
        f"<body>\n  <h1>{html.escape(title)}</h1>\n{body}\n{tail}</body>\n</html>\n"
    ).encode()


def _message(status: int, title: str, text: str) -> Page:
    body = f'  <p class="error">{html.escape(text)}</p>'
    return status, list(SECURITY_HEADERS), _document(title, body, script=False)


def render(method: str, path: str, query: str) -> Page | None:
    """The page for a local email link (``None`` when ``path`` is not one): 200 with the form,
    400 when the link carries no usable token, 405 for anything but GET/HEAD."""
    form = FORMS.get(path.rstrip("/"))
    if form is None:
        return None
    if method.upper() not in ("GET", "HEAD"):
        status, headers, page = _message(405, form.title, "This page only answers GET.")
        return status, [*headers, ("Allow", "GET, HEAD")], page
    tokens = parse_qs(query, keep_blank_values=True).get("token") or [""]
    token = tokens[0]
    if len(tokens) != 1 or not _TOKEN.fullmatch(token):
        return _message(400, form.title, "This link is incomplete or damaged: open the one in the email again.")
    fields = _PASSWORD_FIELDS if form.asks_password else ""
    body = (
        f"  <p>{html.escape(form.intro)}</p>\n"
        f'  <form id="form" data-endpoint="{html.escape(form.endpoint)}" data-done="{html.escape(form.done)}">\n'
        f'    <input type="hidden" name="token" value="{html.escape(token)}">{fields}\n'
        f'    <button type="submit">{html.escape(form.button)}</button>\n  </form>\n'
        '  <p id="result" role="status"></p>'
    )
    return 200, list(SECURITY_HEADERS), _document(form.title, body)
