"""Build the site with MkDocs (the only module that imports it) and serve the result.

The build is strict and goes into a temporary folder beside public/; only a clean build is
swapped in, so a web server never serves half a site or a site built from broken content.

The swap is one renameat2(RENAME_EXCHANGE) on Linux: public/ is the old site or the new one at
every instant, SIGKILL included, and stays a plain directory (what .gitignore, tar, rsync, nginx
and the Pages upload expect; a symlink would change all of them). Where the kernel, libc or file
system lacks the exchange (macOS, NFS, ...), two renames remain and the next build repairs a
missing public/. Every build starts by removing the .public-* folders killed builds left.
"""
from __future__ import annotations

import contextlib
import ctypes
import errno
import fcntl
import functools
import http.server
import logging
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from ..errors import ConfigError


@dataclass
class SiteConfig:
    docs_dir: Path
    site_dir: Path
    site_url: str


class _Collect(logging.Handler):
    def __init__(self):
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record):
        self.messages.append(record.getMessage())


def _quiet() -> None:
    os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")       # Material's end-of-life notice on every build
    logging.getLogger("jieba").setLevel(logging.WARNING)      # jieba prints its dictionary loading


def _load(config_file: str | Path, **overrides):
    from mkdocs.config import load_config
    from mkdocs.exceptions import ConfigurationError
    _quiet()
    try:
        return load_config(str(config_file), **overrides)
    except (ConfigurationError, OSError) as exc:
        raise ConfigError([f"{config_file}: {exc}"]) from None


def config(config_file: str | Path = "mkdocs.yml") -> SiteConfig:
    """Where the Markdown goes, where the site goes, and the address it is served from."""
    cfg = _load(config_file)
    return SiteConfig(Path(cfg.docs_dir), Path(cfg.site_dir), cfg.site_url or "")


def build(config_file: str | Path = "mkdocs.yml", site_dir: str | Path | None = None) -> Path:
    """Build strictly into a fresh folder, then swap it in for site_dir. Returns site_dir."""
    from mkdocs.commands.build import build as mkdocs_build
    from mkdocs.exceptions import MkDocsException
    target = Path(site_dir) if site_dir else config(config_file).site_dir
    target = target.resolve()          # a site_dir that is a symlink keeps pointing where it did
    target.parent.mkdir(parents=True, exist_ok=True)
    with locked(target.parent):
        _heal(target)
        temp = Path(tempfile.mkdtemp(prefix=f".{target.name}-", dir=target.parent))
        collect, logger = _Collect(), logging.getLogger("mkdocs")
        logger.addHandler(collect)
        try:
            for config_path, out in languages(config_file, temp):
                mkdocs_build(_load(config_path, site_dir=str(out), strict=True))
        except MkDocsException as exc:
            shutil.rmtree(temp, ignore_errors=True)
            raise ConfigError(collect.messages + [f"site build failed: {exc}"]) from None
        except BaseException:
            shutil.rmtree(temp, ignore_errors=True)
            raise
        finally:
            logger.removeHandler(collect)
        os.chmod(temp, 0o755)      # mkdtemp makes it private; a web server must read it
        _swap(temp, target)
    return target


def languages(config_file: str | Path, site_dir: Path) -> list[tuple[Path, Path]]:
    """The builds of one site: mkdocs.yml (Chinese, at the root) and, when it is there,
    mkdocs.en.yml beside it (English, in en/). Two plain builds rather than a plugin that runs
    MkDocs once per language: each is an ordinary `mkdocs build` of its own pages."""
    main = Path(config_file)
    english = main.with_name(f"{main.stem}.en{main.suffix}")
    return [(main, site_dir)] + ([(english, site_dir / "en")] if english.is_file() else [])


_HELD: set[str] = set()


@contextlib.contextmanager
def locked(folder: str | Path):
    """Builds that write the same folder take turns: the clean-up at the start of one must not
    remove the folder another is still writing, nor its pages mix with another's. flock on the
    folder itself, so a killed build holds no lock and leaves no lock file behind; the second
    build waits for the first. Re-entrant: a folder this process holds is not locked again
    (flock would wait for itself), e.g. a site_dir given inside docs_dir, which MkDocs refuses."""
    key = os.path.realpath(folder)
    if key in _HELD:
        yield
        return
    fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        _HELD.add(key)
        yield
    finally:
        _HELD.discard(key)
        os.close(fd)          # closing releases the lock


def _old(target: Path) -> Path:
    return target.with_name(f".{target.name}-old")


def _heal(target: Path) -> None:
    """Undo what a killed build left: a public/ renamed away by the two-rename fallback comes back,
    and every other .public-* folder (a half-written site, an old one not yet removed) goes.
    Under the lock, so none of them belongs to a live build."""
    if not os.path.lexists(target) and _old(target).is_dir():
        os.rename(_old(target), target)
    for stale in target.parent.glob(f".{target.name}-*"):
        if stale.resolve() != target:       # never what public/ is or points to
            _remove(stale)


def _swap(temp: Path, target: Path) -> None:
    if not os.path.lexists(target):
        os.rename(temp, target)            # the first build: nothing to replace, one atomic rename
    elif _exchange(temp, target):
        _remove(temp)                      # it now holds the old site
    else:
        # No atomic exchange here: for a moment there is no public/; _heal repairs a kill then.
        old = _old(target)                 # _heal removed any earlier one
        os.rename(target, old)
        os.rename(temp, target)
        _remove(old)


@functools.cache
def _renameat2():
    """glibc's renameat2 (2.28+), or None where there is none (macOS, musl before 1.2.5, ...)."""
    try:
        return ctypes.CDLL(None, use_errno=True).renameat2
    except (OSError, AttributeError):
        return None


def _exchange(a: Path, b: Path) -> bool:
    """Swap two paths in one step (Linux 3.15+). False where the system cannot; the caller falls back."""
    call = _renameat2()
    if call is None:
        return False
    # AT_FDCWD = -100, RENAME_EXCHANGE = 2 (linux/fcntl.h); bytes and ints need no argtypes.
    if call(-100, os.fsencode(a), -100, os.fsencode(b), 2) == 0:
        return True
    err = ctypes.get_errno()
    if err in (errno.EINVAL, errno.ENOSYS, errno.EOPNOTSUPP):    # the kernel or file system lacks it
        return False
    raise OSError(err, os.strerror(err), str(a), None, str(b))


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    elif os.path.lexists(path):
        path.unlink()


def serve(directory: str | Path, host: str = "127.0.0.1", port: int = 8000) -> None:
    """Serve a built site as a static web server would (no live reload: rebuild with `build`)."""
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(directory))
    with http.server.ThreadingHTTPServer((host, port), handler) as server:
        server.serve_forever()
