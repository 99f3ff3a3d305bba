"""Reading a form field off a rendered page as a user sees it: its input's value and the errors beside it."""

import html as html_lib
import re

_ERROR = re.compile(r'<div class="invalid-feedback[^"]*"[^>]*>(.*?)</div>', re.S)


def field_block(html: str, field_id: str) -> str:
    """The page from the field's label to the next label or the end of its form: the input, its help text and
    the errors shown beside it."""
    start = html.index(f'for="{field_id}"')
    ends = [end for end in (html.find("<label", start + 1), html.find("</form>", start)) if end != -1]
    return html[start : min(ends)] if ends else html[start:]


def field_errors(html: str, field_id: str) -> list[str]:
    """The error messages shown beside the field whose input has ``id=field_id``."""
    return [html_lib.unescape(message.strip()) for message in _ERROR.findall(field_block(html, field_id))]


def field_value(html: str, field_id: str) -> str:
    """What the field's input, textarea or selected option holds."""
    block = field_block(html, field_id)
    textarea = re.search(rf'<textarea[^>]*id="{re.escape(field_id)}"[^>]*>(.*?)</textarea>', block, re.S)
    if textarea:
        return html_lib.unescape(textarea.group(1)).strip()
    selected = re.search(r'<option value="([^"]*)"[^>]*selected', block)
    if selected:
        return html_lib.unescape(selected.group(1))
    tag = re.search(rf'<input[^>]*id="{re.escape(field_id)}"[^>]*>', block)
    value = re.search(r'value="([^"]*)"', tag.group(0)) if tag else None
    return html_lib.unescape(value.group(1)) if value else ""
