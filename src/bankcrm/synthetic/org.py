"""Branch tree and staff of the synthetic bank, scaled with the number of customers."""

import math

import numpy as np

from . import reference as ref
from .population import NEVER, NamePool

LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
ROLE_RM, ROLE_ADVISOR, ROLE_MANAGER, ROLE_TELLER, ROLE_OTHER = range(5)
CUSTOMERS_PER_RM = 350


class Organisation:
    """head office H001 → city branches B001.. → sub-branches B001A.. ; staff S00001.."""

    def __init__(self, rng: np.random.Generator, n_customers: int, n_days: int):
        n_cities = min(len(ref.CITIES), max(3, math.ceil(n_customers / 150_000)))
        n_subs = min(26 * n_cities, max(2 * n_cities, round(n_customers / 12_000)))
        per_city = [n_subs // n_cities + (1 if c < n_subs % n_cities else 0) for c in range(n_cities)]

        # branches: (code, name, parent, city)
        self.rows: list[tuple[str, str, str, str]] = [("H001", f"{ref.BANK_NAME}总行", "", ref.CITIES[0][0])]
        sub_codes, sub_city, sub_names = [], [], []
        for c in range(n_cities):
            city, districts = ref.CITIES[c]
            code = f"B{c + 1:03d}"
            self.rows.append((code, f"{ref.BANK_NAME}{city}分行", "H001", city))
            for s in range(per_city[c]):
                district = districts[s % len(districts)][0]
                nth = s // len(districts)
                name = f"{ref.BANK_NAME}{city}{district}{'第' + '一二三四五六七八九'[nth] if nth else ''}支行"
                sub_codes.append(code + LETTERS[s])
                sub_city.append(c)
                sub_names.append(name)
                self.rows.append((code + LETTERS[s], name, code, city))
        self.sub_codes = np.array(sub_codes)
        self.sub_city = np.array(sub_city, dtype=np.int16)
        weights = rng.dirichlet(np.full(len(sub_codes), 4.0))
        self.sub_weights = weights / weights.sum()
        self.code_index = {row[0]: i for i, row in enumerate(self.rows)}

        # staff
        names = NamePool.build()
        staff_branch, staff_role, leave_day = [], [], []

        def add(branch: str, role: int, left: int = NEVER) -> None:
            staff_branch.append(branch)
            staff_role.append(role)
            leave_day.append(left)

        add("H001", ROLE_MANAGER)
        for _ in range(3):
            add("H001", ROLE_OTHER)
        self.rms_of: list[np.ndarray] = []
        self.left_rms_of: list[np.ndarray] = []
        for c in range(n_cities):
            add(f"B{c + 1:03d}", ROLE_MANAGER)
            add(f"B{c + 1:03d}", ROLE_ADVISOR)
        for s, code in enumerate(sub_codes):
            expected = n_customers * self.sub_weights[s]
            n_rm = max(2, round(expected / CUSTOMERS_PER_RM))
            add(code, ROLE_MANAGER)
            first = len(staff_branch)
            for _ in range(n_rm):
                add(code, ROLE_RM)
            self.rms_of.append(np.arange(first, first + n_rm))
            # rms who already left (their customers not all reassigned: planted no_rm findings)
            n_left = 1 if (s == 0 or rng.random() < 0.3) else 0
            first_left = len(staff_branch)
            for _ in range(n_left):
                add(code, ROLE_RM, left=-int(rng.integers(30, 400)))
            self.left_rms_of.append(np.arange(first_left, first_left + n_left))
            for _ in range(max(1, n_rm // 3)):
                add(code, ROLE_ADVISOR)
            for _ in range(int(rng.integers(2, 5))):
                add(code, ROLE_TELLER, left=-int(rng.integers(30, 400)) if rng.random() < 0.05 else NEVER)
        self.staff_branch = np.array(staff_branch)
        self.staff_role = np.array(staff_role, dtype=np.int8)
        self.leave_day = np.array(leave_day, dtype=np.int32)
        # about 1 in 60 active rms leaves during the window; their customers stay assigned to them
        if n_days > 2:
            rms = np.flatnonzero((self.staff_role == ROLE_RM) & (self.leave_day == NEVER))
            leaving = rms[rng.random(len(rms)) < 1 / 60]
            self.leave_day[leaving] = rng.integers(1, n_days, len(leaving))
        male = rng.random(len(staff_branch)) < 0.5
        self.staff_names = names.render(names.draw(rng, male), male)
        self.advisors_of = {
            code: np.flatnonzero((self.staff_branch == code) & (self.staff_role == ROLE_ADVISOR)) for code in sub_codes
        }

    @property
    def n_staff(self) -> int:
        return len(self.staff_branch)

    @staticmethod
    def staff_no(i: int) -> str:
        return f"S{i + 1:05d}"

    def pick_rm(self, rng: np.random.Generator, branch: np.ndarray) -> np.ndarray:
        out = np.empty(len(branch), dtype=np.int32)
        for s, rms in enumerate(self.rms_of):
            sel = np.flatnonzero(branch == s)
            out[sel] = rms[rng.integers(0, len(rms), len(sel))]
        return out

    def pick_left_rm(self, rng: np.random.Generator, branch: np.ndarray) -> np.ndarray:
        everyone = np.concatenate(self.left_rms_of)
        out = np.empty(len(branch), dtype=np.int32)
        for i, s in enumerate(branch):
            pool = self.left_rms_of[s] if len(self.left_rms_of[s]) else everyone
            out[i] = pool[rng.integers(0, len(pool))]
        return out
