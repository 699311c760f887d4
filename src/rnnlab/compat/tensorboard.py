"""The event-file writer behind torch's ``SummaryWriter`` (its private ``_get_file_writer``).

rnnlab adds two kinds of summaries that ``SummaryWriter`` has no public call for: an HPARAMS
session without the step-0 scalars ``add_hparams`` would add (the metrics are logged already),
and a PNG image that is already encoded (``add_image`` would decode and encode it again).
"""

from __future__ import annotations

from typing import Any

from rnnlab.compat import missing

_NAME = "SummaryWriter._get_file_writer"


def file_writer(summary_writer: Any) -> Any:
    """The writer that appends summaries (``add_summary``) to the run's event file."""
    get = getattr(summary_writer, "_get_file_writer", None)
    if get is None:
        raise missing("torch", _NAME, "write HPARAMS sessions and PNG images to TensorBoard")
    return get()


def check() -> None:
    """Raise CompatError unless a SummaryWriter still hands out a writer with add_summary."""
    import tempfile

    from torch.utils.tensorboard import SummaryWriter

    with tempfile.TemporaryDirectory() as folder:
        writer = SummaryWriter(folder)
        try:
            if not callable(getattr(file_writer(writer), "add_summary", None)):
                raise missing("torch", f"{_NAME}().add_summary", "write summaries to TensorBoard")
        finally:
            writer.close()
