"""Serving an uploaded file that is private: through a view that found its record in the reader's scope, never from
a public URL."""

from django.http import FileResponse, Http404

EXTENSIONS = {"application/pdf": "pdf", "image/png": "png", "image/jpeg": "jpg"}


def private_file_response(file, *, content_type: str, name: str, download: bool) -> FileResponse:
    """``file`` (a FieldFile) as ``name`` plus the extension of its checked ``content_type``, inline or as a
    download, never sniffed by the browser nor kept by a shared cache. A file gone from storage is a 404."""
    try:
        handle = file.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    response = FileResponse(
        handle,
        content_type=content_type,
        as_attachment=download,
        filename=f"{name}.{EXTENSIONS.get(content_type, 'bin')}",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
