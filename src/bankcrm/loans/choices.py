"""The rules of spec/loans.md as data: five-class codes, overdue buckets, classification floors.

They live here (layer 3) so ingest validates the codes and analytics builds its SQL from the same
table; nobody writes the edges twice.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class FiveClass(models.TextChoices):
    """五级分类, in order from best to worst (the order is the rule of the classification check)."""

    NORMAL = "normal", pgettext_lazy("loan class", "正常")  # not the account status 正常 (Active)
    SPECIAL_MENTION = "special_mention", _("关注")
    SUBSTANDARD = "substandard", _("次级")
    DOUBTFUL = "doubtful", _("可疑")
    LOSS = "loss", _("损失")


CLASS_RANK: dict[str, int] = {code: rank for rank, code in enumerate(FiveClass.values)}
NPL_CLASSES: tuple[str, ...] = (FiveClass.SUBSTANDARD, FiveClass.DOUBTFUL, FiveClass.LOSS)

# (name, lowest overdue_days, highest overdue_days or None): M0 0, M1 1-30, M2 31-60, M3 61-90, M4+ > 90
BUCKETS: tuple[tuple[str, int, int | None], ...] = (
    ("M0", 0, 0),
    ("M1", 1, 30),
    ("M2", 31, 60),
    ("M3", 61, 90),
    ("M4+", 91, None),
)

# 商业银行金融资产风险分类办法 (2023): overdue_days strictly above the threshold -> at least this class.
# Checked from the highest threshold down; a loan overdue 0 days has no floor (normal).
CLASS_FLOORS: tuple[tuple[int, str], ...] = (
    (360, FiveClass.LOSS),
    (270, FiveClass.DOUBTFUL),
    (90, FiveClass.SUBSTANDARD),
    (0, FiveClass.SPECIAL_MENTION),
)


def bucket_of(overdue_days: int) -> str:
    for name, low, high in BUCKETS:
        if overdue_days >= low and (high is None or overdue_days <= high):
            return name
    raise ValueError(f"overdue_days {overdue_days} is negative")


def minimum_class(overdue_days: int) -> str:
    for threshold, floor in CLASS_FLOORS:
        if overdue_days > threshold:
            return str(floor)
    return str(FiveClass.NORMAL)
