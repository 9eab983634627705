"""Markdown written by users, turned into HTML that is safe to render."""

import markdown as markdown_lib
import nh3
from markdown.extensions import Extension

ALLOWED_TAGS = {
    "p", "br", "hr", "strong", "em", "code", "pre", "blockquote",
    "ul", "ol", "li", "h2", "h3", "h4", "a", "table", "thead", "tbody", "tr", "th", "td",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}}


class EscapeRawHtml(Extension):
    """Python-Markdown passes raw HTML through by default; without its two HTML
    processors, `<b>` in the source is shown as the text `<b>`."""

    def extendMarkdown(self, md):
        md.preprocessors.deregister("html_block")
        md.inlinePatterns.deregister("html")


def render_markdown(text: str) -> str:
    """Return sanitised HTML for `text`: raw HTML in the source is escaped, then nh3 keeps
    only the tags above (no images, scripts, styles or event handlers), and links get
    rel="noopener noreferrer nofollow"."""
    html = markdown_lib.markdown(text or "", extensions=["tables", "sane_lists", EscapeRawHtml()])
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
    )
