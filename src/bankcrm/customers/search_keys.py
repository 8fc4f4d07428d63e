"""Search keys stored beside each customer, computed when the record is written (import or ORM).

spec/api.md: the search finds a customer by the last 4 digits of the mobile and by the pinyin of the
name, full or initials (``oyn`` for 欧阳娜娜). Computing them per query would mean a scan of every
customer; stored in indexed columns, each is an index range like the other branches of the search
(docs/adr/0601-customer-search.md), so it stays fast at millions of customers.
"""

import unicodedata

from pypinyin import Style, lazy_pinyin

PINYIN_MAX = 255
INITIALS_MAX = 100
ADDRESS_MAX = 255


def _letters(text: str) -> str:
    return "".join(ch for ch in text.lower() if "a" <= ch <= "z")


def address_key(address: str) -> str:
    """The address as the household view compares it (issue 14): exact after normalizing.

    Full-width forms become plain (NFKC), case is folded and every space dropped, so
    "北京市朝阳区 建国路1号" and "北京市朝阳区建国路１号" are one address; nothing fuzzier
    (a different spelling of the same street is a different address).
    """
    return "".join(unicodedata.normalize("NFKC", address or "").casefold().split())[:ADDRESS_MAX]


def search_keys(name: str, phone: str, address: str = "") -> dict[str, str]:
    """The stored search columns of a customer with this name and phone.

    Only Chinese characters give pinyin (a Latin name is already found by its name prefix);
    tone marks and the ü of lü are dropped (``Style.NORMAL`` writes it ``v``), as a clerk types.
    """
    syllables = [_letters(s) for s in lazy_pinyin(name or "", style=Style.NORMAL, errors="ignore", v_to_u=False)]
    syllables = [s for s in syllables if s]
    digits = "".join(ch for ch in phone or "" if ch.isdigit())
    return {
        "name_pinyin": "".join(syllables)[:PINYIN_MAX],
        "name_initials": "".join(s[0] for s in syllables)[:INITIALS_MAX],
        "phone_last4": digits[-4:] if len(digits) >= 4 else "",
        "address_key": address_key(address),
    }
