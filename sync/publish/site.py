"""Build the site with MkDocs (the only module that imports it) and serve the result.

The build is strict and goes into a temporary folder beside public/; only a clean build is
swapped in, so a web server never serves half a site or a site built from broken content.
"""
from __future__ import annotations

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
    target = target.resolve()
    target.parent.mkdir(parents=True, exist_ok=True)
    temp = Path(tempfile.mkdtemp(prefix=f".{target.name}-", dir=target.parent))
    collect, logger = _Collect(), logging.getLogger("mkdocs")
    logger.addHandler(collect)
    try:
        cfg = _load(config_file, site_dir=str(temp), strict=True)
        mkdocs_build(cfg)
    except MkDocsException as exc:
        shutil.rmtree(temp, ignore_errors=True)
        raise ConfigError(collect.messages + [f"site build failed: {exc}"]) from None
    except BaseException:
        shutil.rmtree(temp, ignore_errors=True)
        raise
    finally:
        logger.removeHandler(collect)
    os.chmod(temp, 0o755)      # mkdtemp makes it private; a web server must read it
    old = target.with_name(f".{target.name}-old")
    shutil.rmtree(old, ignore_errors=True)
    if target.exists():
        target.rename(old)
    temp.rename(target)
    shutil.rmtree(old, ignore_errors=True)
    return target


def serve(directory: str | Path, host: str = "127.0.0.1", port: int = 8000) -> None:
    """Serve a built site as a static web server would (no live reload: rebuild with `build`)."""
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(directory))
    with http.server.ThreadingHTTPServer((host, port), handler) as server:
        server.serve_forever()
