"""Personal-data detection moved to core.privacy.personal_data; kept here so existing imports keep working."""

from core.privacy.personal_data import PersonalDataHit, find_personal_data

__all__ = ["PersonalDataHit", "find_personal_data"]
