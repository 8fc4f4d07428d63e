"""The customer population: compact numpy arrays for every customer, strings only per chunk.

Everything a later step needs (tier target, branch, rm, dates, ID parts) is numeric, so a
million customers fit in a few hundred MB; names, addresses and ID numbers are materialised
chunk by chunk when the customers file is written.
"""

import datetime as dt
from dataclasses import dataclass

import numpy as np
from faker import Faker
from faker.providers.person.zh_CN import Provider as PersonProvider
from stdnum import numdb
from stdnum.cn import ric

from . import reference as ref

NEVER = np.int32(2**30)  # "no such day" for close / maturity / leave day indexes

SEG_MASS, SEG_VIP, SEG_WEALTH, SEG_PRIVATE = 0, 1, 2, 3
ID_TYPES = ("ID_CARD", "PASSPORT", "HK_MACAO_PASS", "TAIWAN_PASS", "FOREIGN_PR", "OTHER")

# planted data-quality problems (spec batch-files.md "Quality finding"), by customer
Q_NONE, Q_CHECKSUM, Q_BIRTH, Q_GENDER, Q_MOBILE, Q_DUPLICATE, Q_RM_LEFT = range(7)
QUALITY_NAMES = {
    Q_CHECKSUM: "bad_id_checksum",
    Q_BIRTH: "id_birthdate_mismatch",
    Q_GENDER: "id_gender_mismatch",
    Q_MOBILE: "bad_mobile",
    Q_DUPLICATE: "duplicate_id",
    Q_RM_LEFT: "no_rm",
}
QUALITY_RATES = {Q_CHECKSUM: 0.0025, Q_BIRTH: 0.002, Q_GENDER: 0.0015, Q_MOBILE: 0.0025, Q_DUPLICATE: 0.001}


@dataclass
class NamePool:
    surnames: np.ndarray
    surname_p: np.ndarray
    male: np.ndarray
    female: np.ndarray
    first_chars: np.ndarray

    @classmethod
    def build(cls) -> "NamePool":
        weights = np.array(list(PersonProvider.last_names.values()), dtype=np.float64)
        return cls(
            surnames=np.array(list(PersonProvider.last_names.keys())),
            surname_p=weights / weights.sum(),
            male=np.array(PersonProvider.first_names_male),
            female=np.array(PersonProvider.first_names_female),
            first_chars=np.array(ref.GIVEN_FIRST_CHARS),
        )

    def draw(self, rng: np.random.Generator, male: np.ndarray) -> np.ndarray:
        """Draw numeric name parts: (n, 3) int32 — surname, given char (-1 none), gendered char."""
        n = len(male)
        parts = np.empty((n, 3), dtype=np.int32)
        parts[:, 0] = rng.choice(len(self.surnames), size=n, p=self.surname_p)
        parts[:, 1] = np.where(rng.random(n) < 0.6, rng.integers(0, len(self.first_chars), n), -1)
        parts[:, 2] = np.where(male, rng.integers(0, len(self.male), n), rng.integers(0, len(self.female), n))
        return parts

    def render(self, parts: np.ndarray, male: np.ndarray) -> np.ndarray:
        gendered = np.where(male, self.male[np.minimum(parts[:, 2], len(self.male) - 1)], self.female[parts[:, 2]])
        # a gendered entry of two characters (秀英) is a full given name already
        first = np.where((parts[:, 1] >= 0) & (np.char.str_len(gendered) == 1), self.first_chars[parts[:, 1]], "")
        return np.char.add(np.char.add(self.surnames[parts[:, 0]], first), gendered)


class RegionCodes:
    """County-level area codes (GB/T 2260) with the years they were in force, from python-stdnum's table.

    stdnum checks that an ID's area code existed in the holder's birth year, so a code is drawn
    among those in force that year — preferring the branch's city for locals.
    """

    FIRST_YEAR, LAST_YEAR = 1930, 2010

    def __init__(self) -> None:
        rows: list[tuple[str, int, int]] = []
        for _, low, high, _props, children in numdb.get("cn/loc").prefixes:
            if low != high:
                continue
            for _, c_low, c_high, c_props, _ in children:
                county = c_props.get("county", "")
                if c_low != c_high or c_low.endswith("00") or not county:
                    continue
                for part in county.split(","):
                    start, end = part[1:].split("]")[0].split("-") if part.startswith("[") else ("", "")
                    rows.append((low + c_low, int(start or 0), int(end or 9999)))
        self._codes = np.array([r[0] for r in rows])
        self._start = np.array([r[1] for r in rows])
        self._end = np.array([r[2] for r in rows])

    def valid_in(self, year: int) -> np.ndarray:
        return np.unique(self._codes[(self._start <= year) & (year <= self._end)])

    def draw(self, rng: np.random.Generator, years: np.ndarray, prefix: np.ndarray, local: np.ndarray) -> np.ndarray:
        years = np.clip(years, self.FIRST_YEAR, self.LAST_YEAR)
        out = np.empty(len(years), dtype="<U6")
        for year in np.unique(years):
            pool = self.valid_in(int(year))
            sel = np.flatnonzero(years == year)
            out[sel] = pool[rng.integers(0, len(pool), len(sel))]
            for pre in np.unique(prefix[sel]):
                mine = sel[local[sel] & (prefix[sel] == pre)]
                near = pool[np.char.startswith(pool, pre)]
                if len(mine) and len(near):
                    out[mine] = near[rng.integers(0, len(near), len(mine))]
        return out


class Population:
    """All customers of the synthetic bank as parallel numpy arrays (index = customer_no - 1)."""

    def __init__(self, rng: np.random.Generator, faker: Faker, n: int, start: dt.date, n_days: int, branches):
        self.n = n
        self.start = start
        self.names = NamePool.build()
        self.regions = RegionCodes()
        self.streets = np.array(sorted({faker.street_name() for _ in range(3000)}))
        self.branches = branches
        self._draw(rng, n_days)

    # ------------------------------------------------------------------ numeric draws
    def _draw(self, rng: np.random.Generator, n_days: int) -> None:
        n = self.n
        b = self.branches
        self.branch = rng.choice(len(b.sub_codes), size=n, p=b.sub_weights).astype(np.int32)
        self.seg = rng.choice(4, size=n, p=[0.885, 0.092, 0.021, 0.002]).astype(np.int8)
        self.target = self._aum_targets(rng)  # cents, total AUM the customer keeps with the bank

        age = np.where(self.seg == SEG_MASS, rng.normal(42, 15, n), rng.normal(51, 12, n))
        age = np.clip(age, 18.2, 89.0)
        self.birth = (-(age * 365.25)).astype(np.int32)  # day offset from start (negative)
        self.male = rng.random(n) < 0.5
        self.age = age

        dormant_p = np.array([0.08, 0.05, 0.03, 0.0])[self.seg]
        self.dormant = (rng.random(n) < dormant_p) & (age > 21.5)
        self.new = ~self.dormant & (self.seg <= SEG_VIP) & (rng.random(n) < 0.012 * max(1, n_days // 30))
        if n_days <= 1:
            self.new[:] = False
        # onboard: between the 18th birthday (and 20 years back) and the day before the window
        earliest = np.maximum(self.birth + int(18 * 365.25), -20 * 365)
        latest = np.where(self.dormant, -400, -1)
        self.onboard = (earliest + rng.random(n) * (latest - earliest)).astype(np.int32)
        self.onboard[self.new] = rng.integers(1, max(2, n_days), self.new.sum())

        plain = ~self.dormant & ~self.new & (self.seg == SEG_MASS)
        self.closed_before = plain & (rng.random(n) < 0.004) & (self.onboard < -60)
        self._at_least_one(self.closed_before, plain & (self.onboard < -60))
        self.close_day = np.full(n, NEVER, dtype=np.int32)
        cb = self.closed_before
        self.close_day[cb] = (self.onboard[cb] + 30 + rng.random(cb.sum()) * (-31 - self.onboard[cb])).astype(np.int32)
        self.closing = plain & ~cb & (rng.random(n) < 0.0015) & (n_days > 2)
        if n_days > 2:
            self._at_least_one(self.closing, plain & ~cb)
        self.close_day[self.closing] = rng.integers(1, max(2, n_days), self.closing.sum())
        self.active_now = ~self.closed_before  # status in the first file (new customers included)

        self.payroll = ~self.dormant & ~cb & (age > 22) & (age < 58) & (rng.random(n) < 0.35)
        self.salary = np.where(self.payroll, np.round(np.exp(rng.normal(np.log(8000), 0.5, n))) * 100, 0).astype(
            np.int64
        )
        self.payday = rng.choice(np.array([5, 10, 15, 25], dtype=np.int8), size=n)
        self.activity = np.array([0.10, 0.18, 0.22, 0.25])[self.seg] * rng.uniform(0.4, 1.6, n)

        # ID parts: region code index, 3-digit sequence whose last digit's parity is the gender
        local = rng.random(n) < 0.65
        city_prefix = np.array([ref.CITIES[c][1][0][1][:4] for c in range(len(ref.CITIES))])
        birth_year = (np.datetime64(self.start, "D") + self.birth.astype("timedelta64[D]")).astype("datetime64[Y]")
        years = birth_year.astype(np.int64) + 1970
        self.region = self.regions.draw(rng, years, city_prefix[b.sub_city[self.branch]], local)
        self.seq = (rng.integers(0, 100, n) * 10 + rng.integers(0, 5, n) * 2 + self.male).astype(np.int16)
        self.id_type = rng.choice(6, size=n, p=[0.975, 0.01, 0.007, 0.004, 0.003, 0.001]).astype(np.int8)
        self.foreign_no = rng.integers(10**7, 10**8, n)
        self.name_parts = self.names.draw(rng, self.male)

        self.phone_prefix = rng.integers(0, len(ref.MOBILE_PREFIXES), n).astype(np.int16)
        self.phone_rest = rng.integers(0, 10**8, n)
        self.district = rng.integers(0, 100, n).astype(np.int16)
        self.street = rng.integers(0, len(self.streets), n).astype(np.int32)
        self.house = rng.integers(1, 1000, n).astype(np.int16)
        self.building = rng.integers(1, 40, n).astype(np.int16)
        self.unit = rng.integers(1, 6, n).astype(np.int8)
        self.room = (rng.integers(1, 33, n) * 100 + rng.integers(1, 5, n)).astype(np.int16)
        working_age = np.array([i for i, o in enumerate(ref.OCCUPATIONS) if o not in ("学生", "退休人员")])
        occ = working_age[rng.integers(0, len(working_age), n)]
        occ = np.where(age >= 62, ref.OCCUPATIONS.index("退休人员"), occ)
        occ = np.where(age < 23, ref.OCCUPATIONS.index("学生"), occ)
        self.occupation = np.where(rng.random(n) < 0.03, -1, occ).astype(np.int8)
        self.consent = rng.choice(3, size=n, p=[0.55, 0.40, 0.05]).astype(np.int8)  # Y, N, empty

        # relationship manager: a rm of the customer's branch; some unassigned (未归户)
        unassigned_p = np.array([0.02, 0.005, 0.0, 0.0])[self.seg] + self.new * 0.3
        self.rm = b.pick_rm(rng, self.branch)
        self.rm[(rng.random(n) < unassigned_p) | self.closed_before] = -1
        self._plant_quality(rng)

    def _at_least_one(self, flag: np.ndarray, candidates: np.ndarray) -> None:
        # small banks (tests, demo) still show every kind of case
        if self.n >= 50 and not flag.any() and candidates.any():
            flag[np.flatnonzero(candidates)[0]] = True

    def _aum_targets(self, rng: np.random.Generator) -> np.ndarray:
        n = self.n
        seg = self.seg
        out = np.empty(n, dtype=np.float64)
        m = seg == SEG_MASS
        mass = np.exp(rng.normal(np.log(6000), 1.5, m.sum()))
        tiny = rng.random(m.sum()) < 0.25
        mass[tiny] = np.exp(rng.normal(np.log(300), 1.2, tiny.sum()))
        over = mass >= 48_000
        mass[over] = rng.uniform(20_000, 48_000, over.sum())
        out[m] = mass
        for code, low, ratio in ((SEG_VIP, 50_000, 10.0), (SEG_WEALTH, 500_000, 12.0)):
            sel = seg == code
            out[sel] = low * ratio ** (rng.random(sel.sum()) ** 1.6)
        sel = seg == SEG_PRIVATE
        out[sel] = np.minimum(6_000_000 * (1 + rng.pareto(1.6, sel.sum())), 300_000_000)
        return np.round(out * 100).astype(np.int64)

    def _plant_quality(self, rng: np.random.Generator) -> None:
        n = self.n
        self.quality = np.zeros(n, dtype=np.int8)
        self.dup_of = np.full(n, -1, dtype=np.int32)
        self.birth_shift = np.zeros(n, dtype=np.int32)
        eligible = np.flatnonzero((self.id_type == 0) & self.active_now & ~self.closing)
        order = rng.permutation(eligible)
        pos = 0
        for code, rate in QUALITY_RATES.items():
            k = max(1, round(rate * n)) if n >= 50 else 0
            chosen = order[pos : pos + k]
            pos += k
            self.quality[chosen] = code
        dups = np.flatnonzero(self.quality == Q_DUPLICATE)
        clean = order[pos : pos + len(dups)]
        pos += len(dups)
        for dup, orig in zip(dups, clean, strict=False):
            # the same person registered twice: same name, birth, gender and ID number
            self.dup_of[dup] = orig
            for arr in (self.region, self.birth, self.seq, self.male):
                arr[dup] = arr[orig]
            self.name_parts[dup] = self.name_parts[orig]
        birth = np.flatnonzero(self.quality == Q_BIRTH)
        self.birth_shift[birth] = rng.integers(30, 3000, len(birth)) * rng.choice([-1, 1], len(birth))
        # customers left with a relationship manager who has left the bank
        k = max(1, round(0.004 * n)) if n >= 50 else 0
        left_rm = order[pos : pos + k]
        self.rm[left_rm] = self.branches.pick_left_rm(rng, self.branch[left_rm])
        self.quality[left_rm] = Q_RM_LEFT

    # ------------------------------------------------------------------ strings, per chunk
    def id_numbers(self, idx: np.ndarray) -> np.ndarray:
        """ID numbers as issued (valid GB 11643 for ID_CARD), before planted corruptions."""
        birth = np.datetime_as_string(np.datetime64(self.start, "D") + self.birth[idx].astype("timedelta64[D]"))
        compact = np.char.replace(birth, "-", "")
        seq = np.char.zfill(self.seq[idx].astype(str), 3)
        bodies = np.char.add(np.char.add(self.region[idx], compact), seq)
        # stdnum computes the digit over a full-length number (its last digit is ignored)
        checks = np.array([ric.calc_check_digit(body + "0") for body in bodies.tolist()])
        numbers = np.char.add(bodies, checks)
        kinds = self.id_type[idx]
        foreign = self.foreign_no[idx].astype(str)
        for code, prefix in ((1, "E"), (2, "C"), (3, ""), (4, "USA1100"), (5, "J")):
            sel = kinds == code
            numbers = np.where(sel, np.char.add(prefix, foreign), numbers)
        bad = self.quality[idx] == Q_CHECKSUM
        if bad.any():
            digits = "0123456789X"
            wrong = [digits[(digits.index(c) + 3) % 11] for c in checks[bad].tolist()]
            numbers[bad] = np.char.add(bodies[bad], np.array(wrong))
        return numbers

    def phones(self, idx: np.ndarray) -> np.ndarray:
        prefix = np.array(ref.MOBILE_PREFIXES)[self.phone_prefix[idx]]
        phones = np.char.add(prefix, np.char.zfill(self.phone_rest[idx].astype(str), 8))
        bad = np.flatnonzero(self.quality[idx] == Q_MOBILE)
        for j, i in enumerate(bad):
            phones[i] = phones[i][:10] if j % 2 == 0 else "12" + phones[i][2:]
        return phones

    def addresses(self, idx: np.ndarray) -> np.ndarray:
        b = self.branches
        out = np.empty(len(idx), dtype=object)
        city = b.sub_city[self.branch[idx]]
        for c, (city_name, districts) in enumerate(ref.CITIES):
            sel = np.flatnonzero(city == c)
            if not len(sel):
                continue
            dnames = np.array([d for d, _ in districts])[self.district[idx[sel]] % len(districts)]
            out[sel] = np.char.add(f"{city_name}市", dnames)
        parts = [
            out.astype(str),
            self.streets[self.street[idx]],
            self.house[idx].astype(str),
            "号",
            self.building[idx].astype(str),
            "栋",
            self.unit[idx].astype(str),
            "单元",
            self.room[idx].astype(str),
            "室",
        ]
        text = parts[0]
        for part in parts[1:]:
            text = np.char.add(text, part)
        return text

    def names_of(self, idx: np.ndarray) -> np.ndarray:
        return self.names.render(self.name_parts[idx], self.male[idx])
