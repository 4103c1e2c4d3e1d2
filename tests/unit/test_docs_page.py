"""``/docs`` is Swagger UI served by the local stack from the pinned package: no CDN, and every
asset the page names is one the stack serves."""

from __future__ import annotations

import re

from devstack import docs


def test_the_page_names_only_assets_the_stack_serves() -> None:
    status, headers, body = docs.serve("GET", "/docs") or (0, [], b"")
    assert status == 200
    assert ("Content-Type", "text/html; charset=utf-8") in headers
    page = body.decode()
    assert "http" not in page, "the page must not load anything from another host"
    assets = re.findall(r'(?:src|href)="([^"]+)"', page)
    assert "/docs/swagger-ui-bundle.js" in assets
    for asset in assets:
        served = docs.serve("GET", asset)
        assert served is not None, asset
        assert served[0] == 200, asset
        assert served[2], asset


def test_swagger_ui_comes_from_the_installed_package() -> None:
    folder = docs.static_dir()
    assert folder is not None
    bundle = docs.serve("GET", "/docs/swagger-ui-bundle.js")
    assert bundle is not None
    assert bundle[2] == (folder / "swagger-ui-bundle.js").read_bytes()
    # Swagger UI 5 reads OpenAPI 3.1 (ours); 4.x shows an empty page for it.
    assert re.search(rb'"5\.\d+\.\d+"', bundle[2])


def test_other_paths_are_not_the_docs() -> None:
    assert docs.serve("GET", "/docs/../template.yaml") is None
    assert docs.serve("GET", "/docs/swagger-editor-bundle.js") is None
    assert docs.serve("POST", "/docs") is None
    assert docs.serve("GET", "/docsearch") is None
