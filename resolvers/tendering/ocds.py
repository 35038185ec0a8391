"""How a tender reads in OCDS 1.1.5 codelists: its method, status, category, award criteria and
award status. The tender's ``ocds`` GraphQL field and the OCDS publication
(``resolvers.supervision.ocds_map``) both read them from here."""

from __future__ import annotations

# method.csv: rfq and negotiation invite suppliers (selective); the simple tender is open.
METHOD = {"rfq": "selective", "competitive_negotiation": "selective", "simple_tender": "open"}
METHOD_DETAILS = {
    "rfq": "询价 (request for quotation)",
    "competitive_negotiation": "竞争性谈判 (competitive negotiation)",
    "simple_tender": "简易招标 (simple tender)",
}
# tenderStatus.csv
TENDER_STATUS = {
    "draft": "planning",
    "published": "active",
    "opened": "active",
    "evaluated": "active",
    "publicity": "active",
    "awarded": "complete",
    "failed": "unsuccessful",
    "cancelled": "cancelled",
}
# procurementCategory.csv, by project category: equipment is goods, the rest works.
CATEGORY = {"equipment": "goods"}


def main_procurement_category(project_category: str | None) -> str:
    return CATEGORY.get(project_category or "", "works")


def award_criteria(method: str) -> str:
    """awardCriteria.csv: the simple tender scores price, technical and business parts; rfq
    and negotiation take the lowest valid price."""
    return "ratedCriteria" if method == "simple_tender" else "priceOnly"


def award_status(tender_status: str) -> str | None:
    """awardStatus.csv: pending during the award publicity (公示), active once awarded."""
    return {"awarded": "active", "publicity": "pending"}.get(tender_status)


def award_id(tender_code: str) -> str:
    """``awards[].id``, which a contract's ``awardID`` names."""
    return f"{tender_code}-award"
