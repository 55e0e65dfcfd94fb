"""Column type for personal fields stored encrypted (see ``keyring``)."""

from __future__ import annotations

from sqlalchemy import Text
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator

from claimline.privacy.keyring import get_keyring


class SealedString(TypeDecorator[str]):
    """A string sealed with AES-GCM on the way in and opened on the way out.

    ``context`` names the field (``caller.phone``) and is bound into the ciphertext, so a value
    copied into another column does not decrypt.
    """

    impl = Text
    cache_ok = True

    def __init__(self, context: str) -> None:
        super().__init__()
        self.context = context

    def process_bind_param(self, value: str | None, dialect: Dialect) -> str | None:
        return None if value is None else get_keyring().seal(value, context=self.context)

    def process_result_value(self, value: str | None, dialect: Dialect) -> str | None:
        return None if value is None else get_keyring().open(value, context=self.context)


def blind_index(value: str, context: str) -> str:
    return get_keyring().blind_index(value, context=context)
