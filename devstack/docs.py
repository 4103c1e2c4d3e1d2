"""``/docs`` on the local stack: Swagger UI for ``/openapi.json``, every file served by the stack.

The Swagger UI 5 build (OpenAPI 3.1) comes from the pinned dev dependency ``swagger-ui-py``
(its ``static/`` folder; the package's own web-framework glue is not used), so the page works on
a machine without internet. Authorize takes an access token (``bearerAuth``) and the browser then
sends it on every operation that declares security.
"""

from __future__ import annotations

import importlib.util
from functools import lru_cache
from pathlib import Path

PREFIX = "/docs"
# The files the page needs, and their media types (nothing else of the package is served).
ASSETS = {
    "swagger-ui.css": "text/css; charset=utf-8",
    "swagger-ui-bundle.js": "application/javascript; charset=utf-8",
    "swagger-ui-standalone-preset.js": "application/javascript; charset=utf-8",
    "favicon-32x32.png": "image/png",
    "favicon-16x16.png": "image/png",
}

PAGE = f"""<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>Platform API (local)</title>
  <link rel="icon" type="image/png" href="{PREFIX}/favicon-32x32.png">
  <link rel="stylesheet" href="{PREFIX}/swagger-ui.css">
</head>
<body>
  <div id="swagger-ui"></div>
  <script src="{PREFIX}/swagger-ui-bundle.js"></script>
  <script src="{PREFIX}/swagger-ui-standalone-preset.js"></script>
  <script src="{PREFIX}/init.js"></script>
</body>
</html>
"""

INIT_JS = """window.ui = SwaggerUIBundle({
  url: "/openapi.json",
  dom_id: "#swagger-ui",
  deepLinking: true,
  persistAuthorization: true,
  displayRequestDuration: true,
  presets: [SwaggerUIBundle.presets.apis, SwaggerUIStandalonePreset],
  layout: "StandaloneLayout"
});
"""

Found = tuple[int, list[tuple[str, str]], bytes]


@lru_cache(maxsize=1)
def static_dir() -> Path | None:
    """Swagger UI's files in the installed package, without importing it (None if missing)."""
    spec = importlib.util.find_spec("swagger_ui")
    if spec is None or not spec.submodule_search_locations:
        return None
    folder = Path(next(iter(spec.submodule_search_locations))) / "static"
    return folder if (folder / "swagger-ui-bundle.js").is_file() else None


def _reply(content_type: str, body: bytes, *, cache: bool = True) -> Found:
    headers = [("Content-Type", content_type)]
    if cache:
        headers.append(("Cache-Control", "public, max-age=3600"))
    return 200, headers, body


def serve(method: str, path: str) -> Found | None:
    """The reply for a ``/docs`` request (status, headers, body), or None if ``path`` is not ours."""
    if path != PREFIX and not path.startswith(f"{PREFIX}/"):
        return None
    if method.upper() not in ("GET", "HEAD"):
        return None
    name = path.removeprefix(PREFIX).strip("/")
    if name in ("", "index.html"):
        return _reply("text/html; charset=utf-8", PAGE.encode(), cache=False)
    if name == "init.js":
        return _reply("application/javascript; charset=utf-8", INIT_JS.encode(), cache=False)
    folder = static_dir()
    if name not in ASSETS:
        return None
    if folder is None:
        body = b"/* swagger-ui-py is not installed: run `make venv` */"
        return 503, [("Content-Type", "text/plain; charset=utf-8")], body
    return _reply(ASSETS[name], (folder / name).read_bytes())
