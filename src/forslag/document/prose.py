"""The authors' prose: Markdown to safe HTML, with figures, placeholders for computed amounts, and no raw HTML."""

from __future__ import annotations

import base64
import difflib
import hashlib
import html
import re
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlsplit

from markdown_it import MarkdownIt
from markdown_it.token import Token

from forslag.document import danish
from forslag.document.images import ImageProblem, check_image
from forslag.economy.calc import Figure
from forslag.errors import Problem
from forslag.source.yamlsource import Mark

PLACEHOLDER = re.compile(r"\{\{\s*([A-Za-z0-9_.]+)\s*((?:\|\s*[a-z]+\s*)*)\}\}")
MODIFIERS = {"abs", "kr", "mio", "tkr"}
IMAGE_TYPES = {
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".gif": "image/gif",
    ".svg": "image/svg+xml",
}
MAX_IMAGE_BYTES = 10 * 1024 * 1024
MAX_WORD = 200  # characters; a longer "word" is pasted data, and hyphenating it takes the printer minutes
MAX_INLINE_DEPTH = 20  # emphasis and links inside one another; deeper overflows the printer's recursion
MAX_TEXT = 100_000  # characters in one prose field; a long description is 5.000, and parsing grows with length
MAX_PROBLEMS = 50  # per prose field: beyond this the author learns the count, not every one
HEADING_SHIFT = 2  # '#' in the prose sits under the document's numbered section headings (h2)

_md = MarkdownIt("commonmark", {"html": True, "typographer": False}).enable("table")
# markdown-it silently turns links it distrusts (file:, javascript:) into plain text; we let every
# link through the parser and judge it ourselves, so the author hears why instead of seeing it vanish.
_md.validateLink = lambda url: True  # type: ignore[method-assign]
LINK_SCHEMES = {"http", "https", "mailto"}


def _count(n: int) -> str:
    return f"{n:,}".replace(",", ".")


def format_figure(fig: Figure, modifiers: set[str]) -> str:
    if fig.kind == "year":
        return "" if fig.value is None else str(fig.value)
    if fig.kind == "years":
        return danish.years(fig.value if isinstance(fig.value, int) else None)
    if fig.kind in ("count", "percent", "decimal"):
        return danish.quantity(fig.value, fig.kind)
    unit = "mio" if "mio" in modifiers else "tkr" if "tkr" in modifiers else "kr" if "kr" in modifiers else "auto"
    if unit == "auto" and fig.unit == "kr.":
        unit = "kr"  # a business case kept in kr. prints in kr. unless the prose asks for another unit
    return danish.amount(fig.value, unit=unit, signed="abs" not in modifiers)


@dataclass
class ProseRenderer:
    """Renders every prose field of one proposal, collecting problems and numbering its figures."""

    path: Path
    figures: dict[str, Figure]
    image_root: Path
    problems: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)  # what prints, but may not say what the author meant
    figure_count: int = 0
    # Every file a figure was read from, with the sha256 of the bytes used: what the output depends on
    # beside the source itself, so a build can tell that an edited figure makes its proposal stale.
    inputs: dict[str, str] = field(default_factory=dict)
    _in_table: bool = False  # inside a Markdown table, where a bare '|' ends the cell
    _field_start: int = 0
    _more: int = 0

    def _full(self) -> bool:
        """This field has already reported as many problems as one field may."""
        return len(self.problems) - self._field_start >= MAX_PROBLEMS

    def _problem(self, line: int | None, message: str) -> None:
        if self._full():
            self._more += 1
        else:
            self.problems.append(Problem(str(self.path), line, None, message))

    def check_words(self, text: str, mark: Mark | None) -> None:
        """A plain text field (a title, a label): the same bound on word length as the prose."""
        self._field_start, self._more = len(self.problems), 0
        self._long_words(text, mark.line if mark else None)

    def _long_words(self, text: str, line: int | None) -> None:
        if len(text) > MAX_WORD:
            word = max(text.split(), key=len, default="")
            if len(word) > MAX_WORD:
                self._problem(
                    line,
                    f"a word of {len(word)} characters ({word[:30]!r}…); at most {MAX_WORD} fit a line: "
                    "break it up or make it a link",
                )

    def render(self, text: str, mark: Mark | None) -> str:
        """Markdown to HTML; problems are collected in self.problems (the output is then not to be used)."""
        base = mark.content_line if mark else None
        self._field_start, self._more = len(self.problems), 0
        if len(text) > MAX_TEXT:
            self._problem(
                base,
                f"this text has {_count(len(text))} characters, more than the {_count(MAX_TEXT)} one field may "
                "hold; shorten it or move the material to an annex",
            )
            return ""
        tokens = _md.parse(text)
        out: list[Token] = []
        i = 0
        while i < len(tokens):
            token = tokens[i]
            line = base + token.map[0] if base is not None and token.map else base
            if token.type == "html_block":
                self._problem(
                    line,
                    f"raw HTML is not allowed in the prose ({token.content.strip()[:40]!r}); write Markdown instead",
                )
            elif token.type in ("heading_open", "heading_close"):
                level = min(int(token.tag[1]) + HEADING_SHIFT, 6)
                token.tag = f"h{level}"
            elif token.type == "table_open":
                token.attrSet("class", "prose-table")
                self._in_table = True
            elif token.type == "table_close":
                self._in_table = False
            elif token.type == "inline":
                figure = self._figure(token, line)
                if figure is not None and out and out[-1].type == "paragraph_open":
                    out[-1] = figure
                    i += 2  # the paragraph's inline and closing tokens are replaced by the figure
                    continue
                self._inline(token, line)
            elif token.type in ("code_block", "fence"):
                self._long_words(token.content, line)
            out.append(token)
            i += 1
        if self._more:
            self.problems.append(
                Problem(str(self.path), base, None, f"… and {self._more} more problems in this text, like those above")
            )
        return str(_md.renderer.render(out, _md.options, {}))

    def _line_in(self, token: Token, line: int | None, needle: str) -> int | None:
        if line is None or self._full():  # once a field is full its problems are only counted: no search
            return line
        index = token.content.find(needle)
        return line + token.content.count("\n", 0, index) if index >= 0 else line

    def _inline(self, token: Token, line: int | None) -> None:
        depth = 0
        for child in token.children or []:
            depth += child.nesting
            if depth > MAX_INLINE_DEPTH:
                self._problem(
                    line,
                    f"emphasis or links are nested more than {MAX_INLINE_DEPTH} deep; "
                    "the printer cannot lay that out: remove the extra * or _",
                )
                return
            if child.type in ("text", "code_inline"):
                self._long_words(child.content, self._line_in(token, line, child.content[:MAX_WORD]))
            if child.type == "html_inline":
                self._problem(
                    self._line_in(token, line, child.content),
                    f"raw HTML is not allowed in the prose ({child.content[:40]!r}); write Markdown instead",
                )
            elif child.type == "image":
                self._problem(
                    self._line_in(token, line, "!["),
                    "an image must stand alone in its own paragraph, so it becomes a numbered figure",
                )
            elif child.type == "link_open":
                href = str(child.attrGet("href") or "")
                if urlsplit(href).scheme.lower() not in LINK_SCHEMES:
                    self._problem(
                        self._line_in(token, line, href),
                        f"the link {href!r} is not allowed; links go to http(s):// or mailto: addresses",
                    )
            elif child.type == "text":
                child.content = danish.keep_units(
                    PLACEHOLDER.sub(lambda m: self._placeholder(m, token, line), child.content)
                )
                if "{{" in child.content or "}}" in child.content:
                    self._problem(
                        self._line_in(token, line, "{{" if "{{" in child.content else "}}"),
                        # In a table the bar of '{{ x | abs }}' ends the cell, cutting the placeholder in two.
                        "a placeholder in a table is cut in two at its '|', which ends a cell; inside a table "
                        "write the bar as '\\|': {{ name \\| abs }}"
                        if self._in_table
                        else "a placeholder is malformed; write it as {{ name }} or {{ name | abs }}",
                    )

    def _placeholder(self, match: re.Match[str], token: Token, line: int | None) -> str:
        name = match.group(1)
        modifiers = {m.strip() for m in match.group(2).split("|") if m.strip()}
        where = self._line_in(token, line, match.group(0))
        unknown = modifiers - MODIFIERS
        if unknown:
            self._problem(
                where,
                f"unknown placeholder modifier {', '.join(sorted(unknown))!r}; use {', '.join(sorted(MODIFIERS))}",
            )
            return ""
        if name not in self.figures:
            close = difflib.get_close_matches(name, list(self.figures), n=1, cutoff=0.6)
            hint = (
                f"; did you mean {close[0]!r}?"
                if close
                else "; the documentation lists every name (Reference, Placeholders)"
            )
            self._problem(where, f"unknown placeholder {name!r}{hint}")
            return ""
        figure = self.figures[name]
        # A payback time with no value reads "over 20 år", which is a statement; any other figure with no value
        # (a break-even never reached within the horizon, a row with no amount) would print a dash mid-sentence.
        if figure.value is None and figure.kind != "years":
            self._problem(
                where,
                f"the placeholder {name!r} has no value for this proposal (e.g. a break-even that is not reached "
                "within the horizon, or a row with no amounts); reword the sentence without it",
            )
            return ""
        if "abs" in modifiers and figure.kind == "amount" and figure.value is not None and figure.value > 0:
            # '| abs' exists to write a saving (negative) as a plain amount; on a cost it hides nothing and
            # usually means the sentence calls a cost a saving ("effektiviserer 0,3 mio. kr.").
            self.warnings.append(
                Problem(
                    str(self.path),
                    where,
                    None,
                    f"{{{{ {name} | abs }}}} is {format_figure(figure, set())}, a cost, not a saving; "
                    "check that the sentence does not call it an effectivisation",
                )
            )
        # The figure and its unit stay on one line ("-5,1 | mio. kr." never).
        out = danish.unbreakable(format_figure(figure, modifiers))
        # "… {{ net.full }}." would read "mio. kr.." : the sentence's full stop is the amount's own.
        if out.endswith(".") and match.string.startswith(".", match.end()):
            out = out[:-1]
        return out

    def _figure(self, token: Token, line: int | None) -> Token | None:
        children = [c for c in token.children or [] if not (c.type == "text" and not c.content.strip())]
        if len(children) != 1 or children[0].type != "image":
            return None
        image = children[0]
        src = str(image.attrGet("src") or "")
        alt = "".join(c.content for c in image.children or [])
        caption = str(image.attrGet("title") or "")
        self._long_words(f"{alt} {caption}", line)
        data = self._image_data(src, line)
        if not alt.strip():
            self._problem(line, f"the image {src!r} needs an alt text for readers who cannot see it: ![text](...)")
        self.figure_count += 1
        label = f"Figur {self.figure_count}"
        figcaption = (
            f"<figcaption>{label}: {html.escape(caption)}</figcaption>"
            if caption
            else (f"<figcaption>{label}</figcaption>")
        )
        figure = Token("html_block", "", 0)
        figure.content = f'<figure><img src="{data}" alt="{html.escape(alt, quote=True)}">{figcaption}</figure>\n'
        return figure

    def _image_data(self, src: str, line: int | None) -> str:
        """The image as a data: URI, read only from inside the proposals folder."""
        parts = urlsplit(src)
        if parts.scheme or parts.netloc or src.startswith(("/", "\\")):
            self._problem(
                line,
                f"the image {src!r} is not a file inside the proposals folder; "
                "only relative paths like 'figurer/faser.svg' are allowed",
            )
            return ""
        root = self.image_root.resolve()
        target = (self.path.parent / unquote(parts.path)).resolve()
        if not target.is_relative_to(root):
            self._problem(line, f"the image {src!r} lies outside the proposals folder {root.name}/; move it inside")
            return ""
        kind = IMAGE_TYPES.get(target.suffix.lower())
        if kind is None:
            self._problem(line, f"the image {src!r} is not one of {', '.join(IMAGE_TYPES)}")
            return ""
        if not target.is_file():
            self._problem(line, f"the image {src!r} does not exist")
            return ""
        if target.stat().st_size > MAX_IMAGE_BYTES:
            self._problem(line, f"the image {src!r} is larger than {MAX_IMAGE_BYTES // (1024 * 1024)} MB")
            return ""
        data = target.read_bytes()
        self.inputs[str(target)] = hashlib.sha256(data).hexdigest()
        try:
            check_image(data, kind)
        except ImageProblem as exc:
            self._problem(line, f"the image {src!r} {exc}")
            return ""
        payload = base64.b64encode(data).decode("ascii")
        return f"data:{kind};base64,{payload}"
