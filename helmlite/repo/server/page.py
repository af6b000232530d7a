"""The browsable HTML page of ``helmlite serve``: charts, versions and READMEs.

Everything shown comes from uploaded charts and is untrusted: every value is HTML-escaped,
READMEs are rendered by markdown-it in CommonMark mode with raw HTML *disabled* (tags come out
as text) and its link validation (no ``javascript:``/``vbscript:``/``file:`` URLs), links get
``rel="nofollow noopener noreferrer"``, and the server sends a Content-Security-Policy that
forbids scripts altogether, so an escaping mistake still could not run code.
"""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import quote, urlencode, urlsplit

__all__ = [
    "CHARTS_PER_PAGE",
    "CONTENT_SECURITY_POLICY",
    "MAX_README_BYTES",
    "charts_on_page",
    "find_readme",
    "render_readme",
    "render_repository_page",
    "render_tenants_page",
]

CHARTS_PER_PAGE = 25
"""Charts per HTML page; each shows its README, so the page stays bounded on big repositories."""
MAX_README_BYTES = 256 * 1024
"""README bytes rendered; longer ones are cut (the package itself has the whole file)."""
VERSIONS_SHOWN = 10
CONTENT_SECURITY_POLICY = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src https: data:; "
    "form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
)
_README_NAMES = ("readme.md", "readme.markdown", "readme.txt", "readme")

_STYLE = """
body{font:15px/1.5 system-ui,-apple-system,"Segoe UI",sans-serif;margin:0;color:#1f2328;background:#f6f8fa}
header,main,nav{max-width:960px;margin:0 auto;padding:0 16px}
header{padding-top:24px}h1{font-size:26px;margin:0 0 4px}
code,pre{font:13px ui-monospace,SFMono-Regular,Menlo,monospace;background:#eff1f3;border-radius:4px}
code{padding:1px 4px}pre{padding:10px;overflow:auto}pre code{padding:0;background:none}
form{margin:12px 0}input[type=search]{padding:6px 8px;width:60%;max-width:420px}
.chart{background:#fff;border:1px solid #d0d7de;border-radius:8px;padding:16px 20px;margin:16px 0}
.chart h2{margin:0;font-size:20px}.meta{color:#59636e;font-size:13px}
.badge{display:inline-block;font-size:12px;padding:0 6px;border-radius:10px;background:#ddf4ff;color:#0969da;margin-left:6px}
.deprecated{background:#fff1e5;color:#bc4c00}
table{border-collapse:collapse;margin:8px 0}td,th{border-bottom:1px solid #eaeef2;padding:3px 10px;text-align:left;font-size:13px}
details{margin-top:10px}summary{cursor:pointer;color:#0969da}.readme{border-top:1px solid #eaeef2;margin-top:8px}
.readme img{max-width:100%}nav{padding-bottom:32px}.empty{color:#59636e}
"""


def _e(value: Any) -> str:
    return html.escape("" if value is None else str(value), quote=True)


def _safe_href(url: str) -> str | None:
    """``url`` if it is relative or http(s); other schemes are never linked."""
    scheme = urlsplit(url).scheme.lower()
    return url if scheme in ("", "http", "https") else None


def _markdown() -> Any:
    from markdown_it import MarkdownIt

    md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
    md.enable(["table", "strikethrough"])

    def link_open(renderer: Any, tokens: Any, idx: int, options: Any, env: Any) -> str:
        tokens[idx].attrSet("rel", "nofollow noopener noreferrer")
        return str(renderer.renderToken(tokens, idx, options, env))

    def image(renderer: Any, tokens: Any, idx: int, options: Any, env: Any) -> str:
        tokens[idx].attrSet("referrerpolicy", "no-referrer")
        tokens[idx].attrSet("loading", "lazy")
        return str(renderer.image(tokens, idx, options, env))

    md.add_render_rule("link_open", link_open)
    md.add_render_rule("image", image)
    return md


_MD: Any = None


def render_readme(filename: str, data: bytes) -> str:
    """A README as safe HTML: Markdown rendered without raw HTML, anything else as ``<pre>``.

    Returns an HTML fragment; never raises on malformed input (undecodable bytes are replaced).
    """
    global _MD
    truncated = len(data) > MAX_README_BYTES
    text = data[:MAX_README_BYTES].decode("utf-8", errors="replace")
    if filename.lower().endswith((".md", ".markdown")):
        if _MD is None:
            _MD = _markdown()
        body = str(_MD.render(text))
    else:
        body = f"<pre>{_e(text)}</pre>"
    if truncated:
        body += f'<p class="meta">(README truncated at {MAX_README_BYTES} bytes)</p>'
    return body


def find_readme(files: Sequence[Any]) -> tuple[str, bytes] | None:
    """The chart's top-level README among its files (``ChartFile`` objects), as Helm's
    ``show readme`` picks it (case-insensitive README.md, then README.txt, then README)."""
    by_name = {f.name.lower(): f for f in files if "/" not in f.name}
    for candidate in _README_NAMES:
        found = by_name.get(candidate)
        if found is not None:
            return found.name, found.data
    return None


def charts_on_page(entries: Mapping[str, list[dict[str, Any]]], query: str, page: int) -> tuple[list[str], int]:
    """The chart names to show on ``page`` (1-based) after filtering by ``query``.

    The filter is a case-insensitive substring of the name, a description or a keyword (like
    ``helm search repo``). Returns (names, number of pages).
    """
    needle = query.strip().lower()
    names = []
    for name in sorted(entries):
        versions = entries[name]
        if not versions:
            continue
        if needle:
            newest = versions[0]
            haystack = " ".join([name, newest.get("description", ""), *newest.get("keywords", [])]).lower()
            if needle not in haystack:
                continue
        names.append(name)
    pages = max(1, -(-len(names) // CHARTS_PER_PAGE))
    page = min(max(page, 1), pages)
    start = (page - 1) * CHARTS_PER_PAGE
    return names[start : start + CHARTS_PER_PAGE], pages


def _document(title: str, body: str) -> str:
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{_e(title)}</title><style>{_STYLE}</style></head><body>{body}</body></html>\n"
    )


def _chart_section(name: str, versions: list[dict[str, Any]], readme_html: str | None, *, expanded: bool) -> str:
    newest = versions[0]
    parts = [f'<section class="chart" id="chart-{_e(quote(name, safe=""))}">']
    badges = f'<span class="badge">{_e(newest.get("version"))}</span>'
    if newest.get("deprecated"):
        badges += '<span class="badge deprecated">deprecated</span>'
    if newest.get("type") == "library":
        badges += '<span class="badge">library</span>'
    parts.append(f"<h2>{_e(name)}{badges}</h2>")
    if newest.get("description"):
        parts.append(f"<p>{_e(newest['description'])}</p>")
    meta = []
    if newest.get("appVersion"):
        meta.append(f"app version {_e(newest['appVersion'])}")
    home = _safe_href(newest.get("home", ""))
    if home:
        meta.append(f'<a href="{_e(home)}" rel="nofollow noopener noreferrer">home</a>')
    if newest.get("keywords"):
        meta.append("keywords: " + _e(", ".join(newest["keywords"])))
    if meta:
        parts.append(f'<p class="meta">{" · ".join(meta)}</p>')
    rows = []
    for entry in versions[:VERSIONS_SHOWN]:
        urls = entry.get("urls") or []
        href = _safe_href(urls[0]) if urls else None
        link = f'<a href="{_e(href)}">download</a>' if href else ""
        rows.append(
            f"<tr><td>{_e(entry.get('version'))}</td><td>{_e(entry.get('appVersion', ''))}</td>"
            f"<td>{_e(str(entry.get('created', ''))[:19].replace('T', ' '))}</td><td>{link}</td></tr>"
        )
    parts.append("<table><tr><th>version</th><th>app version</th><th>created</th><th></th></tr>")
    parts.append("".join(rows) + "</table>")
    if len(versions) > VERSIONS_SHOWN:
        parts.append(f'<p class="meta">and {len(versions) - VERSIONS_SHOWN} older versions</p>')
    if readme_html is not None:
        state = " open" if expanded else ""
        parts.append(f'<details{state}><summary>README</summary><div class="readme">{readme_html}</div></details>')
    parts.append("</section>")
    return "".join(parts)


def render_repository_page(*, title: str, repo_url: str, repo_name: str,
                           entries: Mapping[str, list[dict[str, Any]]], names: Sequence[str], page: int,
                           pages: int, query: str, readmes: Mapping[str, str]) -> str:
    """The page of one repository: how to add it, a search box, one section per chart in
    ``names`` (with the README HTML from ``readmes`` when there is one) and page links.

    Returns the whole HTML document.
    """
    body = [
        f"<header><h1>{_e(title)}</h1>",
        f"<p>Add this repository: <code>helm repo add {_e(repo_name)} {_e(repo_url)}</code></p>",
        ('<form method="get"><input type="search" name="q" placeholder="Search charts" '
         f'value="{_e(query)}"> <button>Search</button></form></header><main>'),
    ]
    if not names:
        body.append('<p class="empty">No charts found.</p>' if query else '<p class="empty">No charts yet.</p>')
    for name in names:
        # A page that shows one chart (a search hit) opens its README; a list keeps them folded.
        body.append(_chart_section(name, entries[name], readmes.get(name), expanded=len(names) == 1))
    body.append("</main><nav>")
    if pages > 1:
        links = []
        for number in range(1, pages + 1):
            if number == page:
                links.append(f"<strong>{number}</strong>")
            else:
                params = {"page": str(number), **({"q": query} if query else {})}
                links.append(f'<a href="?{_e(urlencode(params))}">{number}</a>')
        body.append("Pages: " + " ".join(links))
    body.append("</nav>")
    return _document(title, "".join(body))


def render_tenants_page(*, title: str, tenants: Sequence[tuple[str, int]]) -> str:
    """The root page of a multitenant server: one link per repository with its chart count."""
    items = "".join(
        f'<li><a href="{_e(quote(name))}/">{_e(name)}</a> <span class="meta">{count} charts</span></li>'
        for name, count in tenants
    )
    body = f"<header><h1>{_e(title)}</h1></header><main>"
    body += f"<ul>{items}</ul>" if items else '<p class="empty">No repositories yet.</p>'
    return _document(title, body + "</main>")
