"""The name of an uploaded file as it may be shown (and offered back on download), for every app."""

from __future__ import annotations

MAX_FILENAME_CHARS = 255


def display_filename(name: str | None) -> str:
    """The last path component of an uploaded file's name, without unprintable characters, at most 255.

    Browsers and clients may send a whole path ("C:\\Users\\me\\report.pdf" or "../../x.csv"): only the
    part after the last slash or backslash is kept. Control characters (newlines, escape sequences) are
    dropped so the name cannot break a header, a log line or a page. The result is for display only;
    stored files always get server-made names.
    """
    last = (name or "").replace("\\", "/").rsplit("/", 1)[-1]
    return "".join(ch for ch in last if ch.isprintable())[:MAX_FILENAME_CHARS]
