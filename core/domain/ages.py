"""Ages as a family reads them: months under a year, whole years without decimals ('6 months', '17 years')."""

from __future__ import annotations


def age_fits(age: float | None, minimum: float | None, maximum: float | None) -> bool | None:
    """Whether an age lies within a trial's limits, as matching and the report both decide it; None when the
    age or both limits are not known. An upper limit in whole years admits the whole final year (a registry's
    "17 Years" takes a 17-and-a-half-year-old); limits in months compare exactly."""
    if age is None or (minimum is None and maximum is None):
        return None
    if minimum is not None and age < minimum:
        return False
    return not (maximum is not None and (int(age) if maximum == int(maximum) else age) > maximum)


def format_age(years: float) -> str:
    """An age without its unit when it is in years ('17', '2.25'); under two years in the whole months, weeks or
    days a registry gives ('6 months', '21 months', '2 weeks')."""
    if abs(years - round(years)) < 1e-6 and years >= 1.0:
        return str(int(round(years)))
    if years < 2.0:  # a registry's "6 Months", "2 Weeks" or "28 Days", said the same way
        for unit, per_year in (("month", 12.0), ("week", 365.25 / 7), ("day", 365.25)):
            count = years * per_year
            if round(count) >= 1 and abs(count - round(count)) < 0.05:
                return f"{round(count)} {unit}" + ("" if round(count) == 1 else "s")
    return f"{round(years, 2):g}"


def age_with_unit(years: float) -> str:
    """An age with its unit: '6 months', '1 year', '17 years'."""
    text = format_age(years)
    return text if not text[-1].isdigit() else f"{text} year{'' if text == '1' else 's'}"


def describe_age_range(minimum: float | None, maximum: float | None) -> str:
    """Plain wording of a trial's age limits ('Ages 6 months to 17 years', 'Ages 18 years and older')."""
    if minimum is not None and maximum is not None:
        low = format_age(minimum) if format_age(minimum)[-1].isdigit() else age_with_unit(minimum)
        return f"Ages {low} to {age_with_unit(maximum)}"
    if minimum is not None:
        return f"Ages {age_with_unit(minimum)} and older"
    if maximum is not None:
        return f"Ages up to {age_with_unit(maximum)}"
    return "All ages"
