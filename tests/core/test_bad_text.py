"""A NUL (and every other control character, or a text-direction override) in any text
argument of the schema is a typed refusal on every backend: never INTERNAL, and nothing
written. Each String input of ``clients/schema.graphql`` is listed here; a test checks
the list against the schema, so a new text input cannot be left out."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from conftest import global_id, make_uscc, unique
from factories import STRONG_PASSWORD, UPLOAD, create_person, new_owner, pdf_bytes, ready

NUL = "a\x00b"
SCHEMA = Path(__file__).resolve().parents[2] / "clients" / "schema.graphql"

# (input type, field) -> (user, document, variables with the bad value in place of "BAD")
CASES: dict[tuple[str, str], tuple[str, str, dict]] = {}


def case(user: str, document: str, variables: dict, *fields: tuple[str, str]) -> None:
    for field in fields:
        CASES[field] = (user, document, variables | {"_field": field})


AUDIT = "query($f: AuditEventFilter) { auditEvents(filter: $f, first: 1) { totalCount } }"
case("auditor", AUDIT, {"f": {"targetType": "BAD"}}, ("AuditEventFilter", "targetType"))
case("auditor", AUDIT, {"f": {"operation": "BAD"}}, ("AuditEventFilter", "operation"))
ORGS = "query($f: OrganisationFilter) { organisations(filter: $f, first: 1) { totalCount } }"
case("admin", ORGS, {"f": {"search": "BAD"}}, ("OrganisationFilter", "search"))
case("admin", ORGS, {"f": {"regionPrefix": "BAD"}}, ("OrganisationFilter", "regionPrefix"))
PROJECTS = "query($f: ProjectFilter) { projects(filter: $f, first: 1) { totalCount } }"
case("admin", PROJECTS, {"f": {"search": "BAD"}}, ("ProjectFilter", "search"))
case("admin", PROJECTS, {"f": {"regionPrefix": "BAD"}}, ("ProjectFilter", "regionPrefix"))
case("admin", "query($f: UserFilter) { users(filter: $f, first: 1) { totalCount } }", {"f": {"search": "BAD"}}, ("UserFilter", "search"))
# -- reports
case(
    "auditor",
    "query($f: ReportFilter) { volumeReport(filter: $f) { total { projects } } }",
    {"f": {"regionCode": "BAD"}},
    ("ReportFilter", "regionCode"),
)

# -- permission administration
LINE = {"op": "ADD", "ptype": "P", "values": ["contractor", "320583", "Query.auditEvents", "read"]}
case(
    "policyadmin",
    "mutation($i: ApplyPolicyChangeInput!) { applyPolicyChange(input: $i) { version { number } errors { code field } } }",
    {"i": {"changes": [LINE], "comment": "BAD"}},
    ("ApplyPolicyChangeInput", "comment"),
)
GRANT = "mutation($i: GrantRoleInput!) { grantRole(input: $i) { version { number } errors { code field } } }"
case("policyadmin", GRANT, {"i": {"userId": "SELF", "role": "BAD", "regionCode": "320583"}}, ("GrantRoleInput", "role"))
case("policyadmin", GRANT, {"i": {"userId": "SELF", "role": "reviewer", "regionCode": "BAD"}}, ("GrantRoleInput", "regionCode"))
case(
    "policyadmin",
    GRANT,
    {"i": {"userId": "SELF", "role": "reviewer", "regionCode": "320583", "comment": "BAD"}},
    ("GrantRoleInput", "comment"),
)
REVOKE = "mutation($i: RevokeRoleInput!) { revokeRole(input: $i) { version { number } errors { code field } } }"
case("policyadmin", REVOKE, {"i": {"userId": "SELF", "role": "BAD", "regionCode": "320583"}}, ("RevokeRoleInput", "role"))
case("policyadmin", REVOKE, {"i": {"userId": "SELF", "role": "reviewer", "regionCode": "BAD"}}, ("RevokeRoleInput", "regionCode"))
case(
    "policyadmin",
    REVOKE,
    {"i": {"userId": "SELF", "role": "reviewer", "regionCode": "320583", "comment": "BAD"}},
    ("RevokeRoleInput", "comment"),
)
case(
    "policyadmin",
    "mutation($i: RollbackPolicyInput!) { rollbackPolicy(input: $i) { version { number } errors { code field } } }",
    {"i": {"version": 1, "comment": "BAD"}},
    ("RollbackPolicyInput", "comment"),
)
IMPORT = "mutation($i: ImportPolicyInput!) { importPolicy(input: $i) { version { number } errors { code field } } }"
case(
    "policyadmin",
    IMPORT,
    {"i": {"csv": "p, contractor, 320583, Query.auditEvents, readBAD\n", "comment": "x"}},
    ("ImportPolicyInput", "csv"),
)
case(
    "policyadmin",
    IMPORT,
    {"i": {"csv": "p, contractor, 320583, Query.auditEvents, read\n", "comment": "BAD"}},
    ("ImportPolicyInput", "comment"),
)
case(
    "policyadmin",
    "mutation($i: DecidePolicyChangeInput!) { approvePolicyChange(input: $i) { version { number } errors { code field } } }",
    {"i": {"id": global_id("PendingPolicyChange", 999999), "comment": "BAD"}},
    ("DecidePolicyChangeInput", "comment"),
)

LOGIN = "mutation($i: LoginInput!) { login(input: $i) { errors { code field } } }"
case(None, LOGIN, {"i": {"username": "BAD", "password": "x"}}, ("LoginInput", "username"))
case(None, LOGIN, {"i": {"username": "admin", "password": "BAD"}}, ("LoginInput", "password"))
case(
    "PERSON",
    "mutation($i: LogoutInput) { logout(input: $i) { errors { code field } } }",
    {"i": {"refreshToken": "BAD"}},
    ("LogoutInput", "refreshToken"),
)
case(
    None,
    "mutation($i: RefreshTokenInput!) { refreshToken(input: $i) { errors { code field } } }",
    {"i": {"refreshToken": "BAD"}},
    ("RefreshTokenInput", "refreshToken"),
)
PASSWORD = "mutation($i: ChangePasswordInput!) { changePassword(input: $i) { errors { code field } } }"
case(
    "PERSON",
    PASSWORD,
    {"i": {"currentPassword": "BAD", "newPassword": "Orchid-harbour-2001"}},
    ("ChangePasswordInput", "currentPassword"),
)
case(
    "PERSON",
    PASSWORD,
    {"i": {"currentPassword": STRONG_PASSWORD, "newPassword": "Orchid-BAD-harbour-2001"}},
    ("ChangePasswordInput", "newPassword"),
)

USER = "mutation($i: CreateUserInput!) { createUser(input: $i) { user { id } errors { code field } } }"
NEW_USER = {
    "username": "u_NEW",
    "displayName": "测试",
    "organisationId": "ORG",
    "password": "Orchid-harbour-1957",
    "roles": ["OWNER_STAFF"],
}
for name in ("username", "displayName", "password", "phone", "email"):
    case("admin", USER, {"i": NEW_USER | {name: "BAD"}}, ("CreateUserInput", name))
UPDATE_USER = "mutation($i: UpdateUserInput!) { updateUser(input: $i) { user { id } errors { code field } } }"
for name in ("displayName", "phone", "email"):
    case("admin", UPDATE_USER, {"i": {"id": "SELF", name: "BAD"}}, ("UpdateUserInput", name))

ORG = "mutation($i: CreateOrganisationInput!) { createOrganisation(input: $i) { organisation { id } errors { code field } } }"
NEW_ORG = {"name": "测试单位NEW", "kind": "OWNER", "uscc": "USCC", "regionCode": "320583"}
for name in ("name", "uscc", "regionCode", "bankName", "bankAccountNumber"):
    case("admin", ORG, {"i": NEW_ORG | {name: "BAD"}}, ("CreateOrganisationInput", name))
UPDATE_ORG = "mutation($i: UpdateOrganisationInput!) { updateOrganisation(input: $i) { organisation { id } errors { code field } } }"
for name in ("name", "bankName", "bankAccountNumber"):
    case("admin", UPDATE_ORG, {"i": {"id": "ORG", name: "BAD"}}, ("UpdateOrganisationInput", name))

case(
    "admin",
    "mutation($i: CreateApiClientInput!) { createApiClient(input: $i) { errors { code field } } }",
    {"i": {"name": "BAD", "organisationId": "ORG"}},
    ("CreateApiClientInput", "name"),
)
case(
    "admin",
    "mutation($i: CreateWebhookSubscriptionInput!) { createWebhookSubscription(input: $i) { errors { code field } } }",
    {"i": {"organisationId": "ORG", "url": "https://example.com/BAD", "eventTypes": ["project.submitted"]}},
    ("CreateWebhookSubscriptionInput", "url"),
)
PREFERENCE = "mutation($i: SetNotificationPreferenceInput!) { setNotificationPreference(input: $i) { errors { code field } } }"
case("owner", PREFERENCE, {"i": {"eventType": "BAD", "channels": []}}, ("SetNotificationPreferenceInput", "eventType"))
case(
    "owner",
    PREFERENCE,
    {"i": {"eventType": "project.submitted", "channels": [], "locale": "BAD"}},
    ("SetNotificationPreferenceInput", "locale"),
)

CREATE = "mutation($i: CreateProjectInput!) { createProject(input: $i) { project { id } errors { code field } } }"
NEW_PROJECT = {
    "title": "测试项目NEW",
    "category": "GREENING",
    "budgetAmount": "1000.00",
    "lineItems": [{"name": "苗木", "quantity": "1", "unit": "株", "unitPrice": "1000.00"}],
}
for name in ("title", "description", "fundingSource"):
    case("OWN", CREATE, {"i": NEW_PROJECT | {name: "BAD"}}, ("CreateProjectInput", name))
for name in ("name", "unit"):
    item = NEW_PROJECT["lineItems"][0] | {name: "BAD"}
    case("OWN", CREATE, {"i": NEW_PROJECT | {"lineItems": [item]}}, ("LineItemInput", name))
UPDATE = "mutation($i: UpdateProjectInput!) { updateProject(input: $i) { project { id } errors { code field } } }"
for name in ("title", "description", "fundingSource"):
    case("OWN", UPDATE, {"i": {"id": "PROJECT", name: "BAD"}}, ("UpdateProjectInput", name))
case(
    "OWN",
    "mutation($i: SubmitProjectInput!) { submitProject(input: $i) { errors { code field } } }",
    {"i": {"id": "PROJECT", "comment": "BAD"}},
    ("SubmitProjectInput", "comment"),
)
case(
    "OWN",
    "mutation($i: CancelProjectInput!) { cancelProject(input: $i) { errors { code field } } }",
    {"i": {"id": "PROJECT", "reason": "BAD"}},
    ("CancelProjectInput", "reason"),
)
case(
    "reviewer",
    "mutation($i: DecideProjectReviewInput!) { decideProjectReview(input: $i) { errors { code field } } }",
    {"i": {"reviewId": "REVIEW", "decision": "REJECT", "comment": "BAD"}},
    ("DecideProjectReviewInput", "comment"),
)


# Tendering: text of templates, tenders and bids. Mutations on an object that does not exist
# (a tender no one may see) are refused before or after their text is read; either way a
# refusal, never INTERNAL.
NO_TENDER = "VGVuZGVyOjk5OTk5OTk5"  # Tender:99999999
TENDERS = "query($f: TenderFilter) { %s(filter: $f, first: 1) { totalCount } }"
case("admin", TENDERS % "tenders", {"f": {"search": "BAD"}}, ("TenderFilter", "search"))
case(None, TENDERS % "publicTenders", {"f": {"regionPrefix": "BAD"}}, ("TenderFilter", "regionPrefix"))
TEMPLATE = "mutation($i: CreateTenderTemplateInput!) { createTenderTemplate(input: $i) { template { id } errors { code field } } }"
NEW_TEMPLATE = {"name": "模板NEW", "method": "RFQ", "requiredDocuments": [], "requiredItems": [], "criteria": []}
for name in ("name", "noticeText"):
    case("OWN", TEMPLATE, {"i": NEW_TEMPLATE | {name: "BAD"}}, ("CreateTenderTemplateInput", name))
case("OWN", TEMPLATE, {"i": NEW_TEMPLATE | {"requiredDocuments": [{"key": "BAD", "name": "x"}]}}, ("DocumentRequirementInput", "key"))
case("OWN", TEMPLATE, {"i": NEW_TEMPLATE | {"requiredDocuments": [{"key": "a", "name": "BAD"}]}}, ("DocumentRequirementInput", "name"))
case("OWN", TEMPLATE, {"i": NEW_TEMPLATE | {"requiredItems": [{"key": "BAD", "question": "x"}]}}, ("ItemRequirementInput", "key"))
case("OWN", TEMPLATE, {"i": NEW_TEMPLATE | {"requiredItems": [{"key": "a", "question": "BAD"}]}}, ("ItemRequirementInput", "question"))
for name in ("key", "name"):
    criterion = {"key": "price", "name": "价格", "kind": "PRICE", "weight": "100"} | {name: "BAD"}
    case("OWN", TEMPLATE, {"i": NEW_TEMPLATE | {"method": "SIMPLE_TENDER", "criteria": [criterion]}}, ("CriterionInput", name))
for name in ("name", "noticeText"):
    case(
        "OWN",
        "mutation($i: UpdateTenderTemplateInput!) { updateTenderTemplate(input: $i) { template { id } errors { code } } }",
        {"i": {"id": "VGVuZGVyVGVtcGxhdGU6OTk5OTk5OTk", name: "BAD"}},
        ("UpdateTenderTemplateInput", name),
    )
CREATE_T = "mutation($i: CreateTenderInput!) { createTender(input: $i) { tender { id } errors { code } } }"
NEW_TENDER = {
    "projectId": "PROJECT",
    "templateId": "VGVuZGVyVGVtcGxhdGU6OTk5OTk5OTk",
    "ceilingPrice": "1.00",
    "bidDeadline": "2099-01-01T00:00:00Z",
    "openingTime": "2099-01-01T01:00:00Z",
    "clarificationDeadline": "2098-12-31T00:00:00Z",
}
for name in ("title", "noticeText"):
    case("OWN", CREATE_T, {"i": NEW_TENDER | {name: "BAD"}}, ("CreateTenderInput", name))
    case(
        "OWN",
        "mutation($i: UpdateTenderInput!) { updateTender(input: $i) { tender { id } errors { code } } }",
        {"i": {"id": NO_TENDER, name: "BAD"}},
        ("UpdateTenderInput", name),
    )
for input_type, mutation, variables in (
    ("AmendTenderInput", "amendTender", {"id": NO_TENDER, "summary": "BAD"}),
    ("AmendTenderInput", "amendTender", {"id": NO_TENDER, "summary": "变更", "noticeText": "BAD"}),
    ("CancelTenderInput", "cancelTender", {"id": NO_TENDER, "reason": "BAD"}),
    ("PublishTenderInput", "publishTender", {"id": NO_TENDER, "drawCommitment": "BAD"}),
    ("OpenTenderInput", "openTender", {"id": NO_TENDER, "seed": "BAD"}),
    ("RequestFinalQuotesInput", "requestFinalQuotes", {"id": NO_TENDER, "deadline": "2099-01-01T00:00:00Z", "note": "BAD"}),
):
    field = next(k for k, v in variables.items() if v == "BAD")
    case("OWN", f"mutation($i: {input_type}!) {{ {mutation}(input: $i) {{ errors {{ code }} }} }}", {"i": variables}, (input_type, field))
case(
    "OWN",
    "mutation($i: AnswerClarificationInput!) { answerClarification(input: $i) { errors { code } } }",
    {"i": {"clarificationId": "Q2xhcmlmaWNhdGlvbjo5OTk5OTk5OQ", "answer": "BAD"}},
    ("AnswerClarificationInput", "answer"),
)
case(
    "OWN",
    "mutation($i: AnswerObjectionInput!) { answerObjection(input: $i) { errors { code } } }",
    {"i": {"objectionId": "QXdhcmRPYmplY3Rpb246OTk5OTk5OTk", "decision": "DISMISS", "answer": "BAD"}},
    ("AnswerObjectionInput", "answer"),
)
for input_type, mutation, variables in (
    ("AskClarificationInput", "askClarification", {"tenderId": NO_TENDER, "question": "BAD"}),
    ("FileObjectionInput", "fileObjection", {"tenderId": NO_TENDER, "text": "BAD"}),
):
    field = next(k for k, v in variables.items() if v == "BAD")
    case(
        "contractor1",
        f"mutation($i: {input_type}!) {{ {mutation}(input: $i) {{ errors {{ code }} }} }}",
        {"i": variables},
        (input_type, field),
    )
SUBMIT_BID = "mutation($i: SubmitBidInput!) { submitBid(input: $i) { bid { id } errors { code } } }"
case(
    "contractor1",
    SUBMIT_BID,
    {"i": {"tenderId": NO_TENDER, "price": "1.00", "answers": [{"key": "BAD", "answer": "x"}]}},
    ("BidAnswerInput", "key"),
)
case(
    "contractor1",
    SUBMIT_BID,
    {"i": {"tenderId": NO_TENDER, "price": "1.00", "answers": [{"key": "a", "answer": "BAD"}]}},
    ("BidAnswerInput", "answer"),
)
case(
    "contractor1",
    SUBMIT_BID,
    {"i": {"tenderId": NO_TENDER, "price": "1.00", "documents": [{"key": "BAD", "file": None}]}},
    ("BidDocumentInput", "key"),
)
EVALUATE = "mutation($i: SubmitEvaluationInput!) { submitEvaluation(input: $i) { errors { code } } }"
SHEET = {"bidId": "QmlkOjk5OTk5OTk5", "qualified": False}
case("expert1", EVALUATE, {"i": {"tenderId": NO_TENDER, "sheets": [SHEET | {"reason": "BAD"}]}}, ("EvaluationSheetInput", "reason"))
case(
    "expert1",
    EVALUATE,
    {"i": {"tenderId": NO_TENDER, "sheets": [SHEET | {"qualified": True, "scores": [{"criterion": "BAD", "score": "1"}]}]}},
    ("ScoreInput", "criterion"),
)
case(
    "expert1",
    "mutation($i: DeclineEvaluationInput!) { declineEvaluation(input: $i) { errors { code } } }",
    {"i": {"tenderId": NO_TENDER, "reason": "BAD"}},
    ("DeclineEvaluationInput", "reason"),
)
case(
    "contractor1",
    "mutation($i: AddQualificationInput!) { addQualification(input: $i) { qualification { id } errors { code } } }",
    {"i": {"kind": "LANDSCAPING", "grade": "THIRD", "number": "BAD", "validUntil": "2099-01-01"}},
    ("AddQualificationInput", "number"),
)

# Contracts: text of drafts, amendments, signatures and keys. Mutations on a contract that
# does not exist are refused whatever their text; a key is registered for real.
NO_CONTRACT = "Q29udHJhY3Q6OTk5OTk5OTk"  # Contract:99999999
CONTRACTS = "query($f: ContractFilter) { contracts(filter: $f, first: 1) { totalCount } }"
case("admin", CONTRACTS, {"f": {"search": "BAD"}}, ("ContractFilter", "search"))
case("admin", CONTRACTS, {"f": {"regionPrefix": "BAD"}}, ("ContractFilter", "regionPrefix"))
MILESTONE = {"code": "M1", "name": "完工", "plannedDate": "2099-01-01", "share": "100"}
TERM = {"name": "进度款", "percentage": "100", "trigger": "FINAL_ACCEPTANCE"}
CLAUSE = {"kind": "SCOPE", "text": "工程范围"}
NEW_CONTRACT = {
    "tenderId": NO_TENDER,
    "number": "HT-1",
    "worksStart": "2099-01-01",
    "worksEnd": "2099-02-01",
    "milestones": [MILESTONE],
    "paymentTerms": [TERM],
    "clauses": [CLAUSE],
}
DRAFT_C = "mutation($i: DraftContractInput!) { draftContract(input: $i) { contract { id } errors { code } } }"
for name in ("number", "title", "amountReason"):
    case("OWN", DRAFT_C, {"i": NEW_CONTRACT | {name: "BAD"}}, ("DraftContractInput", name))
for name in ("text", "title"):
    case("OWN", DRAFT_C, {"i": NEW_CONTRACT | {"clauses": [CLAUSE | {name: "BAD"}]}}, ("ClauseInput", name))
case(
    "OWN",
    DRAFT_C,
    {"i": NEW_CONTRACT | {"clauses": [{"kind": "ACCEPTANCE", "text": "验收", "standard": "BAD"}]}},
    ("ClauseInput", "standard"),
)
for name in ("code", "name"):
    case("OWN", DRAFT_C, {"i": NEW_CONTRACT | {"milestones": [MILESTONE | {name: "BAD"}]}}, ("MilestoneInput", name))
for name in ("name", "milestoneCode"):
    case("OWN", DRAFT_C, {"i": NEW_CONTRACT | {"paymentTerms": [TERM | {name: "BAD"}]}}, ("PaymentTermInput", name))
for input_type, mutation, variables in (
    ("UpdateContractInput", "updateContract", {"id": NO_CONTRACT, "number": "BAD"}),
    ("UpdateContractInput", "updateContract", {"id": NO_CONTRACT, "title": "BAD"}),
    ("UpdateContractInput", "updateContract", {"id": NO_CONTRACT, "amountReason": "BAD"}),
    ("ProposeContractAmendmentInput", "proposeContractAmendment", {"id": NO_CONTRACT, "reason": "BAD"}),
    ("ProposeContractAmendmentInput", "proposeContractAmendment", {"id": NO_CONTRACT, "reason": "r", "number": "BAD"}),
    ("ProposeContractAmendmentInput", "proposeContractAmendment", {"id": NO_CONTRACT, "reason": "r", "title": "BAD"}),
    ("ProposeContractAmendmentInput", "proposeContractAmendment", {"id": NO_CONTRACT, "reason": "r", "amountReason": "BAD"}),
    ("WithdrawContractAmendmentInput", "withdrawContractAmendment", {"id": NO_CONTRACT, "reason": "BAD"}),
    ("TerminateContractInput", "terminateContract", {"id": NO_CONTRACT, "reason": "BAD"}),
):
    field = next(k for k, v in variables.items() if v == "BAD")
    case("OWN", f"mutation($i: {input_type}!) {{ {mutation}(input: $i) {{ errors {{ code }} }} }}", {"i": variables}, (input_type, field))
case(
    "OWN",
    "mutation($i: AttachContractDocumentInput!) { attachContractDocument(input: $i) { document { id } errors { code } } }",
    {"i": {"contractId": NO_CONTRACT, "name": "BAD", "file": None}},
    ("AttachContractDocumentInput", "name"),
)
SIGN_C = "mutation($i: SignContractInput!) { signContract(input: $i) { contract { id } errors { code } } }"
case("OWN", SIGN_C, {"i": {"id": NO_CONTRACT, "contentSha256": "BAD"}}, ("SignContractInput", "contentSha256"))
case("OWN", SIGN_C, {"i": {"id": NO_CONTRACT, "contentSha256": "0" * 64, "signature": "BAD"}}, ("SignContractInput", "signature"))
case(
    "OWN",
    "mutation($i: RegisterSigningKeyInput!) { registerSigningKey(input: $i) { signingKey { id } errors { code } } }",
    {"i": {"algorithm": "ED25519", "publicKey": "BAD"}},
    ("RegisterSigningKeyInput", "publicKey"),
)

# Progress: logs, photos, check-ins and milestones of a contract or log that does not exist.
NO_LOG = "RGFpbHlMb2c6OTk5OTk5OTk"  # DailyLog:99999999
NO_MILESTONE = "Q29udHJhY3RNaWxlc3RvbmU6OTk5OTk5OTk"  # ContractMilestone:99999999
NEW_LOG = {
    "contractId": NO_CONTRACT,
    "idempotencyKey": "k-12345678",
    "logDate": "2099-01-01",
    "weather": "晴",
    "workDone": "x",
    "crewCount": 1,
}
for name in ("idempotencyKey", "weather", "workDone", "machinery", "materials", "issues"):
    case(
        "contractor1",
        "mutation($i: CreateDailyLogInput!) { createDailyLog(input: $i) { log { id } errors { code } } }",
        {"i": NEW_LOG | {name: "BAD"}},
        ("CreateDailyLogInput", name),
    )
for name in ("weather", "workDone", "machinery", "materials", "issues"):
    case(
        "contractor1",
        "mutation($i: UpdateDailyLogInput!) { updateDailyLog(input: $i) { log { id } errors { code } } }",
        {"i": {"id": NO_LOG, name: "BAD"}},
        ("UpdateDailyLogInput", name),
    )
case(
    "contractor1",
    "mutation($i: CorrectDailyLogInput!) { correctDailyLog(input: $i) { log { id } errors { code } } }",
    {"i": {"id": NO_LOG, "text": "BAD"}},
    ("CorrectDailyLogInput", "text"),
)
case(
    "contractor1",
    "mutation($i: UploadSitePhotoInput!) { uploadSitePhoto(input: $i) { photo { id } errors { code } } }",
    {"i": {"logId": NO_LOG, "idempotencyKey": "BAD", "file": None}},
    ("UploadSitePhotoInput", "idempotencyKey"),
)
case(
    "contractor1",
    "mutation($i: CheckInInput!) { checkIn(input: $i) { checkIn { id } errors { code } } }",
    {
        "i": {
            "contractId": NO_CONTRACT,
            "idempotencyKey": "BAD",
            "latitude": 31.4,
            "longitude": 121.0,
            "accuracy": 5.0,
            "datum": "GCJ02",
            "deviceTime": "2099-01-01T00:00:00Z",
        }
    },
    ("CheckInInput", "idempotencyKey"),
)
for input_type, mutation, variables, user in (
    ("SubmitMilestoneInput", "submitMilestone", {"id": NO_MILESTONE, "note": "BAD"}, "contractor1"),
    ("AcceptMilestoneInput", "acceptMilestone", {"id": NO_MILESTONE, "comment": "BAD"}, "OWN"),
    ("RejectMilestoneInput", "rejectMilestone", {"id": NO_MILESTONE, "reason": "BAD"}, "OWN"),
):
    field = next(k for k, v in variables.items() if v == "BAD")
    case(user, f"mutation($i: {input_type}!) {{ {mutation}(input: $i) {{ errors {{ code }} }} }}", {"i": variables}, (input_type, field))

# Quality: checklists are made for real (an administrator keeps them); inspections and
# rectifications of objects that do not exist are refused whatever their text.
CHECKLIST_DOC = "mutation($i: CreateChecklistTemplateInput!) { createChecklistTemplate(input: $i) { template { id } errors { code } } }"
NEW_CHECKLIST = {"category": "GREENING", "name": "检查表", "items": [{"key": "a", "description": "检查项"}]}
case("admin", CHECKLIST_DOC, {"i": NEW_CHECKLIST | {"name": "BAD"}}, ("CreateChecklistTemplateInput", "name"))
case("admin", CHECKLIST_DOC, {"i": NEW_CHECKLIST | {"items": [{"key": "BAD", "description": "x"}]}}, ("ChecklistItemInput", "key"))
case("admin", CHECKLIST_DOC, {"i": NEW_CHECKLIST | {"items": [{"key": "a", "description": "BAD"}]}}, ("ChecklistItemInput", "description"))
case(
    "admin",
    "mutation($i: UpdateChecklistTemplateInput!) { updateChecklistTemplate(input: $i) { template { id } errors { code } } }",
    {"i": {"id": "Q2hlY2tsaXN0VGVtcGxhdGU6OTk5OTk5OTk", "name": "BAD"}},
    ("UpdateChecklistTemplateInput", "name"),
)
NO_TEMPLATE = "Q2hlY2tsaXN0VGVtcGxhdGU6OTk5OTk5OTk"  # ChecklistTemplate:99999999
INSPECT_DOC = "mutation($i: RecordInspectionInput!) { recordInspection(input: $i) { inspection { id } errors { code } } }"
NEW_INSPECTION = {"contractId": NO_CONTRACT, "templateId": NO_TEMPLATE, "answers": [{"key": "a", "passed": True}]}
case("supervisor", INSPECT_DOC, {"i": NEW_INSPECTION | {"note": "BAD"}}, ("RecordInspectionInput", "note"))
case("supervisor", INSPECT_DOC, {"i": NEW_INSPECTION | {"answers": [{"key": "BAD", "passed": True}]}}, ("InspectionAnswerInput", "key"))
case(
    "supervisor",
    INSPECT_DOC,
    {"i": NEW_INSPECTION | {"answers": [{"key": "a", "passed": False, "remarks": "BAD"}]}},
    ("InspectionAnswerInput", "remarks"),
)
NO_RECTIFICATION = "UmVjdGlmaWNhdGlvbjo5OTk5OTk5OQ"  # Rectification:99999999
for input_type, mutation, variables, user in (
    ("RespondToRectificationInput", "respondToRectification", {"id": NO_RECTIFICATION, "response": "BAD"}, "contractor1"),
    ("CloseRectificationInput", "closeRectification", {"id": NO_RECTIFICATION, "comment": "BAD"}, "supervisor"),
    ("ReopenRectificationInput", "reopenRectification", {"id": NO_RECTIFICATION, "reason": "BAD"}, "supervisor"),
):
    field = next(k for k, v in variables.items() if v == "BAD")
    case(user, f"mutation($i: {input_type}!) {{ {mutation}(input: $i) {{ errors {{ code }} }} }}", {"i": variables}, (input_type, field))

case(
    "supervisor",
    "mutation($i: ResolveWarningInput!) { resolveWarning(input: $i) { errors { code } } }",
    {"i": {"id": "UHJvZ3Jlc3NXYXJuaW5nOjk5OTk5OTk5", "comment": "BAD"}},  # ProgressWarning:99999999
    ("ResolveWarningInput", "comment"),
)

# Payments: requests, payments and invoices that do not exist; the text is refused whatever
# else is wrong (an idempotency key is checked before anything is looked up).
NO_REQUEST = "UGF5bWVudFJlcXVlc3Q6OTk5OTk5OTk"  # PaymentRequest:99999999
NO_TERM = "UGF5bWVudFRlcm06OTk5OTk5OTk"  # PaymentTerm:99999999
NO_INVOICE = "SW52b2ljZTo5OTk5OTk5OQ"  # Invoice:99999999
PAYMENT = {"id": NO_REQUEST, "paidOn": "2026-01-05", "amount": "1.00", "bankReference": "KS0001"}
for input_type, mutation, variables, user in (
    ("RaisePaymentRequestInput", "raisePaymentRequest", {"termId": NO_TERM, "note": "BAD"}, "owner"),
    ("RaisePaymentRequestInput", "raisePaymentRequest", {"termId": NO_TERM, "idempotencyKey": "BAD"}, "owner"),
    ("ApprovePaymentRequestInput", "approvePaymentRequest", {"id": NO_REQUEST, "comment": "BAD"}, "owner"),
    ("ApprovePaymentRequestInput", "approvePaymentRequest", {"id": NO_REQUEST, "idempotencyKey": "BAD"}, "owner"),
    ("RejectPaymentRequestInput", "rejectPaymentRequest", {"id": NO_REQUEST, "comment": "BAD"}, "owner"),
    ("RejectPaymentRequestInput", "rejectPaymentRequest", {"id": NO_REQUEST, "comment": "c", "idempotencyKey": "BAD"}, "owner"),
    ("CancelPaymentRequestInput", "cancelPaymentRequest", {"id": NO_REQUEST, "reason": "BAD"}, "owner"),
    ("CancelPaymentRequestInput", "cancelPaymentRequest", {"id": NO_REQUEST, "reason": "r", "idempotencyKey": "BAD"}, "owner"),
    ("RecordPaymentInput", "recordPayment", PAYMENT | {"bankReference": "BAD"}, "finance"),
    ("RecordPaymentInput", "recordPayment", PAYMENT | {"payerAccount": "BAD"}, "finance"),
    ("RecordPaymentInput", "recordPayment", PAYMENT | {"payeeAccount": "BAD"}, "finance"),
    ("RecordPaymentInput", "recordPayment", PAYMENT | {"differenceReason": "BAD"}, "finance"),
    ("RecordPaymentInput", "recordPayment", PAYMENT | {"idempotencyKey": "BAD"}, "finance"),
    ("VerifyInvoiceInput", "verifyInvoice", {"id": NO_INVOICE, "idempotencyKey": "BAD"}, "finance"),
    ("RejectInvoiceInput", "rejectInvoice", {"id": NO_INVOICE, "reason": "BAD"}, "finance"),
    ("RejectInvoiceInput", "rejectInvoice", {"id": NO_INVOICE, "reason": "r", "idempotencyKey": "BAD"}, "finance"),
):
    field = next(k for k, v in variables.items() if v == "BAD")
    case(user, f"mutation($i: {input_type}!) {{ {mutation}(input: $i) {{ errors {{ code }} }} }}", {"i": variables}, (input_type, field))
for name in ("number", "code", "sellerName", "sellerTaxId", "buyerName", "buyerTaxId", "idempotencyKey"):
    case(
        "contractor1",
        "mutation($i: UploadInvoiceInput!) { uploadInvoice(input: $i) { invoice { id } errors { code } } }",
        {"i": {"requestId": NO_REQUEST, "file": None, name: "BAD"}},
        ("UploadInvoiceInput", name),
    )

# -- red flags: an acknowledgement of a flag that does not exist; a region filter.
case(
    "auditor",
    "mutation($i: AcknowledgeRedFlagInput!) { acknowledgeRedFlag(input: $i) { errors { code } } }",
    {"i": {"id": "UmVkRmxhZzo5OTk5OTk5OQ", "comment": "BAD"}},  # RedFlag:99999999
    ("AcknowledgeRedFlagInput", "comment"),
)
case(
    "auditor",
    "query($f: RedFlagFilter) { redFlags(filter: $f, first: 1) { totalCount } }",
    {"f": {"regionCode": "BAD"}},
    ("RedFlagFilter", "regionCode"),
)

# Opaque secrets: compared by their hash, never stored or searched as text. A control
# character in one matches nothing; logging out still ends the caller's own session.
OPAQUE = {("LogoutInput", "refreshToken")}


def string_inputs() -> set[tuple[str, str]]:
    """Every (input type, field) of type String in the exported schema."""
    found, current = set(), None
    for line in SCHEMA.read_text().splitlines():
        if m := re.match(r"input (\w+)", line):
            current = m.group(1)
        elif line.startswith("}"):
            current = None
        elif current and (m := re.match(r"\s+(\w+): String", line)):
            found.add((current, m.group(1)))
    return found


def test_every_text_input_of_the_schema_is_covered():
    assert set(CASES) == string_inputs()


def _fill(value, replacements: dict[str, str]):
    if isinstance(value, dict):
        return {k: _fill(v, replacements) for k, v in value.items() if k != "_field"}
    if isinstance(value, list):
        return [_fill(v, replacements) for v in value]
    if isinstance(value, str):
        for key, new in replacements.items():
            value = value.replace(key, new)
    return value


@pytest.fixture(scope="module")
async def targets(api):
    """Objects the mutations act on: an organisation, an owner with a submitted project."""
    from factories import pending_review, submit

    owner = await new_owner(api)
    person = await create_person(api, owner.org_id, ["OWNER_STAFF"])
    project = await ready(api, owner)
    other = await ready(api, owner)
    assert (await submit(api, owner, other["id"]))["errors"] == []
    review = await pending_review(api, owner, other["id"])
    return {
        "ORG": owner.org_id,
        "OWN": owner,
        "PROJECT": project["id"],
        "REVIEW": review["id"],
        "SELF": owner.staff.user_id,
        "PERSON": person,
    }


@pytest.mark.parametrize("field", sorted(CASES), ids=lambda f: ".".join(f))
@pytest.mark.parametrize("bad", [NUL, "a\u202eb", "a\x1bb"], ids=["nul", "bidi", "escape"])
async def test_a_control_character_is_refused_with_a_code(api, targets, field, bad):
    user, document, variables = CASES[field]
    replacements = {k: v for k, v in targets.items() if isinstance(v, str)}
    replacements |= {"NEW": unique(""), "USCC": make_uscc(), "BAD": bad}
    if user == "OWN":
        token = targets["OWN"].staff.token
    elif user == "PERSON":  # a session of its own, which a logout may end
        token = (await api.password_token(targets["PERSON"].username, STRONG_PASSWORD))["access_token"]
    else:
        token = await api.token(user) if user else None
    response = await api.post(document, _fill(variables, replacements), token=token)
    assert response.status_code in (200, 400), response.text
    body = response.json()
    errors = body.get("errors") or []
    codes = [e["extensions"]["code"] for e in errors]
    assert "INTERNAL" not in codes, body
    payload = next(iter((body.get("data") or {}).values()), None)
    user_errors = (payload or {}).get("errors") or []
    if field in OPAQUE:
        return
    # Refused: a GraphQL error, or a field error. What a payload returns besides is nothing.
    assert errors or user_errors, f"{field} accepted {bad!r}: {body}"
    if payload is not None:
        assert all(v in (None, []) for k, v in payload.items() if k != "errors"), body


def multipart(operations: dict, filename: str, data: bytes) -> tuple[bytes, str]:
    """A multipart body written by hand: HTTP clients escape control characters in file
    names, a hostile client does not."""
    boundary = "smallworks-" + unique("")
    parts = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="operations"\r\n\r\n{json.dumps(operations)}\r\n'.encode(),
        f'--{boundary}\r\nContent-Disposition: form-data; name="map"\r\n\r\n{{"0": ["variables.input.file"]}}\r\n'.encode(),
        f'--{boundary}\r\nContent-Disposition: form-data; name="0"; filename="'.encode()
        + filename.encode()
        + b'"\r\nContent-Type: application/pdf\r\n\r\n'
        + data
        + f"\r\n--{boundary}--\r\n".encode(),
    ]
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


@pytest.mark.parametrize("name", ["a\x00b.pdf", "a\u202efdp.exe.pdf", "a\tb.pdf"], ids=["nul", "bidi", "tab"])
async def test_a_file_name_with_control_characters_is_refused(api, targets, name):
    operations = {"query": UPLOAD, "variables": {"input": {"projectId": targets["PROJECT"], "documentType": "OTHER", "file": None}}}
    body, content_type = multipart(operations, name, pdf_bytes(unique()))
    headers = {"Authorization": f"Bearer {targets['OWN'].staff.token}", "GraphQL-Require-Preflight": "1", "Content-Type": content_type}
    response = await api.client.post("/graphql", content=body, headers=headers)
    answer = response.json()
    assert not answer.get("errors"), answer
    payload = answer["data"]["uploadProjectDocument"]
    assert payload["document"] is None
    assert [(e["code"], e["field"]) for e in payload["errors"]] == [("INVALID_FILENAME", "file")], (name, payload)


async def test_a_file_name_written_by_hand_is_stored_as_sent(api, targets):
    """The hand-written body itself is sound: a plain name is accepted."""
    operations = {"query": UPLOAD, "variables": {"input": {"projectId": targets["PROJECT"], "documentType": "OTHER", "file": None}}}
    body, content_type = multipart(operations, "说明 v2.pdf", pdf_bytes(unique()))
    headers = {"Authorization": f"Bearer {targets['OWN'].staff.token}", "GraphQL-Require-Preflight": "1", "Content-Type": content_type}
    payload = (await api.client.post("/graphql", content=body, headers=headers)).json()["data"]["uploadProjectDocument"]
    assert payload["errors"] == [] and payload["document"]["filename"] == "说明 v2.pdf"


async def test_the_service_is_healthy_after_every_bad_input(api, targets):
    """Runs after the sweep above (same module): nothing it sent broke the service."""
    health = await api.client.get("/healthz")
    assert health.status_code == 200
    assert (await api.ok("{ viewer { kind } }", token=targets["OWN"].staff.token))["viewer"] == {"kind": "user"}
