"""render_markdown: what users write is rendered, and nothing they write can run."""

import pytest

from core.markdown import render_markdown

REL = 'rel="noopener noreferrer nofollow"'


@pytest.mark.parametrize(
    ("source", "html"),
    [
        ("A *good* idea.", "<p>A <em>good</em> idea.</p>"),
        ("**Bold** and `code`", "<p><strong>Bold</strong> and <code>code</code></p>"),
        ("- one\n- two", "<ul>\n<li>one</li>\n<li>two</li>\n</ul>"),
        ("## Plan", "<h2>Plan</h2>"),
        ("> quoted", "<blockquote>\n<p>quoted</p>\n</blockquote>"),
        ("a & b < c", "<p>a &amp; b &lt; c</p>"),
        ("", ""),
        (None, ""),
    ],
)
def test_markdown_is_rendered(source, html):
    assert render_markdown(source) == html


def test_links_get_rel_noopener():
    assert render_markdown("[site](https://example.org/a?b=1)") == (
        f'<p><a href="https://example.org/a?b=1" {REL}>site</a></p>'
    )
    assert render_markdown("<https://example.org>") == (
        f'<p><a href="https://example.org" {REL}>https://example.org</a></p>'
    )
    assert render_markdown('[t](https://example.org "Title")') == (
        f'<p><a href="https://example.org" title="Title" {REL}>t</a></p>'
    )


def test_mailto_links_are_kept():
    assert render_markdown("[mail](mailto:team@example.org)") == (
        f'<p><a href="mailto:team@example.org" {REL}>mail</a></p>'
    )


@pytest.mark.parametrize(
    "source",
    [
        "[x](javascript:alert(1))",
        "[x](JavaScript:alert(1))",
        "[x](data:text/html;base64,PHNjcmlwdD4=)",
        "[x](vbscript:msgbox(1))",
    ],
)
def test_dangerous_link_schemes_are_removed(source):
    assert render_markdown(source) == f"<p><a {REL}>x</a></p>"


def test_a_script_tag_is_escaped_not_run():
    html = render_markdown("<script>alert('x')</script> hi")

    assert "<script" not in html
    assert html == "<p>&lt;script&gt;alert('x')&lt;/script&gt; hi</p>"


def test_an_image_with_onerror_is_escaped():
    html = render_markdown('<img src="x" onerror="alert(1)">')

    assert "<img" not in html
    assert html == '<p>&lt;img src="x" onerror="alert(1)"&gt;</p>'


def test_markdown_images_are_dropped():
    assert render_markdown("![pic](https://example.org/x.png)") == "<p></p>"


@pytest.mark.parametrize(
    ("source", "html"),
    [
        ("a <b>bold</b> word", "<p>a &lt;b&gt;bold&lt;/b&gt; word</p>"),
        ("<div>block</div>", "<p>&lt;div&gt;block&lt;/div&gt;</p>"),
        (
            '<a href="https://example.org" onclick="steal()">z</a>',
            '<p>&lt;a href="https://example.org" onclick="steal()"&gt;z&lt;/a&gt;</p>',
        ),
        ('<iframe src="https://example.org"></iframe>',
         '<p>&lt;iframe src="https://example.org"&gt;&lt;/iframe&gt;</p>'),
        ("<!-- hidden -->", "<p>&lt;!-- hidden --&gt;</p>"),
        ('<span style="color:red">s</span>', '<p>&lt;span style="color:red"&gt;s&lt;/span&gt;</p>'),
    ],
)  # fmt: skip
def test_raw_html_is_escaped(source, html):
    assert render_markdown(source) == html


def test_raw_html_inside_code_stays_literal():
    assert render_markdown("`<b>`") == "<p><code>&lt;b&gt;</code></p>"
    assert render_markdown("    <b>x</b>") == "<pre><code>&lt;b&gt;x&lt;/b&gt;\n</code></pre>"


def test_tables_are_kept_and_their_cells_escaped():
    html = render_markdown("| a | b |\n|---|---|\n| <i>1</i> | 2 |")

    assert html.startswith("<table>")
    assert "<td>&lt;i&gt;1&lt;/i&gt;</td>" in html
    assert "<i>" not in html
