"""Stream frames to an encoder: MP4 (H.264) and GIF with ffmpeg (imageio-ffmpeg), PNG files.

Frames are sent one by one to the ffmpeg process as they are drawn and never held in
memory by Python. ffmpeg comes with the ``imageio-ffmpeg`` wheel installed by the setup script
(no network). GIF palettes are computed by ffmpeg over the whole film (``palettegen``), so
for GIF ffmpeg itself buffers the frames: GIFs are drawn at half size (640×360 for a 1280×720
film) to keep that buffer and the file small.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PIL import Image

from geo.i18n import N_, TranslatedError

FORMATS = ("mp4", "gif")


class EncoderError(TranslatedError, RuntimeError):
    """The encoder failed or is missing; the message says what to do."""


class FrameWriter:
    """Write frames to ``path`` (.mp4 or .gif) and optionally to a folder of PNG files.

    Parameters
    ----------
    path : Path
        Output film; its suffix picks the format.
    size : tuple of int
        Frame width and height (even numbers).
    fps : float
        Frames per second.
    png_dir : Path, optional
        Also write every frame as ``frame_00001.png`` there.
    """

    def __init__(self, path: Path, size: tuple[int, int], fps: float, png_dir: Path | None = None):
        self.path = Path(path)
        self.size = (int(size[0]), int(size[1]))
        self.fps = float(fps)
        self.png_dir = Path(png_dir) if png_dir else None
        self.frames = 0
        fmt = self.path.suffix.lower().lstrip(".")
        if fmt not in FORMATS:
            raise EncoderError(N_("the output must end in .mp4 or .gif, got {name}"), name=repr(self.path.name))
        try:
            import imageio_ffmpeg
        except ImportError as exc:  # pragma: no cover - installed by scripts/setup.sh
            raise EncoderError(N_("imageio-ffmpeg is not installed: run `bash scripts/setup.sh`")) from exc
        if self.png_dir:
            self.png_dir.mkdir(parents=True, exist_ok=True)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        if fmt == "mp4":
            self._out_size = self.size
            params = dict(codec="libx264", pix_fmt_out="yuv420p", quality=None,
                          output_params=["-crf", "23", "-preset", "veryfast", "-movflags", "+faststart"])
        else:
            self._out_size = (self.size[0] // 2 - (self.size[0] // 2) % 2, self.size[1] // 2 - (self.size[1] // 2) % 2)
            params = dict(codec="gif", pix_fmt_out="rgb8", quality=None,
                          output_params=["-vf", "split[a][b];[a]palettegen=stats_mode=full[p];[b][p]paletteuse=dither=bayer",
                                         "-loop", "0"])
        self._writer = imageio_ffmpeg.write_frames(
            str(self.path), self._out_size, fps=self.fps, macro_block_size=2, ffmpeg_log_level="error", **params
        )
        self._writer.send(None)

    def write(self, image: Image.Image, repeat: int = 1) -> None:
        """Send ``image`` to the film ``repeat`` times (and to the PNG folder once per repeat)."""
        if image.size != self.size:
            raise EncoderError(f"frame size {image.size} differs from the film's {self.size}")
        film = image if self._out_size == self.size else image.resize(self._out_size, Image.Resampling.LANCZOS)
        data = np.asarray(film.convert("RGB"), dtype=np.uint8).tobytes()
        for _ in range(max(1, int(repeat))):
            self._writer.send(data)
            self.frames += 1
            if self.png_dir:
                image.save(self.png_dir / f"frame_{self.frames:05d}.png", optimize=False, compress_level=1)

    def close(self) -> None:
        """Finish the film (flushes ffmpeg)."""
        try:
            self._writer.close()
        except (RuntimeError, OSError) as exc:
            raise EncoderError(N_("ffmpeg could not finish {name}: {reason}"), name=self.path.name,
                               reason=str(exc)) from exc

    def __enter__(self) -> FrameWriter:
        return self

    def __exit__(self, *exc) -> None:
        self.close()
