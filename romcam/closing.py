"""A mixin for resources that are used as context managers and released by ``close()``."""

from __future__ import annotations

from typing import Self


class Closing:
    """``with resource:`` calls ``resource.close()`` on the way out, error or not."""

    def close(self) -> None:
        raise NotImplementedError

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()
