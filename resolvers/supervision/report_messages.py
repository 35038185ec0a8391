"""Reports (统计报表): their error codes, the labels of their coded values, and the words their
rows and exports are written in, in zh-CN and en."""

from __future__ import annotations

from resolvers.core.i18n import register, register_labels

# A report's filter that does not hold: GraphQL errors (BAD_USER_INPUT, the code as
# ``extensions.reason``), and the refusal an export request gets before its job is queued.
register(
    "supervision",
    {
        "REPORT_ARGUMENT_INVALID": ("报表参数“{argument}”的值无效。", "The report argument “{argument}” has a value that is not valid."),
        "REPORT_REGION_INVALID": (
            "行政区划代码须为6位数字，且为省级（如 320000）、市级（如 320500）或县级（如 320583）代码。",
            "A region code is 6 digits naming a province (such as 320000), a city (320500) or a county (320583).",
        ),
        "REPORT_REGION_OUT_OF_SCOPE": (
            "该行政区划不在您的管辖范围内，报表中不会有您可查看的数据。",
            "That region is outside your scope: the report would hold nothing you may see.",
        ),
        "REPORT_YEAR_INVALID": ("年份须在 {min} 至 {max} 之间。", "The year must be from {min} to {max}."),
        "REPORT_QUARTER_INVALID": ("季度须为 1 至 4。", "The quarter must be 1 to 4."),
        "REPORT_MONTH_INVALID": ("月份须为 1 至 12。", "The month must be 1 to 12."),
        "REPORT_YEAR_REQUIRED": ("按季度或月份筛选时须同时给出年份。", "A quarter or a month needs its year."),
        "REPORT_MONTH_NOT_IN_QUARTER": ("{month} 月不在第 {quarter} 季度内。", "Month {month} is not in quarter {quarter}."),
        "REPORT_PERIOD_YEAR_ONLY": (
            "“{report}”按财政年度统计，不能按季度或月份筛选。",
            "“{report}” is counted by fiscal year: it cannot be narrowed to a quarter or a month.",
        ),
        "REPORT_DIMENSION_REPEATED": ("分组维度“{dimension}”重复。", "The grouping “{dimension}” is given twice."),
        "REPORT_DIMENSION_NOT_SUPPORTED": ("“{report}”不能按“{dimension}”分组。", "“{report}” cannot be grouped by “{dimension}”."),
        "REPORT_TOO_MANY_ROWS": (
            "报表分组超过 {limit} 行，请减少分组维度、缩小范围，或导出为文件。",
            "The report has more than {limit} groups: group by fewer dimensions, narrow the filter, or export it to a file.",
        ),
    },
)

# Words of the rows (not errors): a period, the total row, a group without a procurement.
register(
    "supervision",
    {
        "REPORT_PERIOD_YEAR": ("{year}年", "{year}"),
        "REPORT_PERIOD_QUARTER": ("{year}年第{quarter}季度", "{year} Q{quarter}"),
        "REPORT_PERIOD_MONTH": ("{year}年{month}月", "{year}-{month:02d}"),
        "REPORT_TOTAL": ("合计", "Total"),
        "REPORT_NO_METHOD": ("未经采购", "No procurement"),
        "REPORT_TARGET_MET": ("达标", "Met"),
        "REPORT_TARGET_MISSED": ("未达标", "Not met"),
        "REPORT_PERIOD_BASIS_APPLIED": ("项目首次提交申报的日期（北京时间）", "The project's first application date (China time)"),
        "REPORT_PERIOD_BASIS_FISCAL_YEAR": ("预算指标的财政年度", "The fiscal year of the budget allocation"),
        "REPORT_PERIOD_BASIS_STAGE_END": (
            "各阶段结束的日期（北京时间），如“申报至批准”按批准日期",
            "The day each stage ended (China time): application to approval counts on the approval date",
        ),
        "REPORT_PERIOD_BASIS_SIGNED": (
            "项目合同首次签订的日期（北京时间）",
            "The day the project's contract was first signed (China time)",
        ),
        "REPORT_PERIOD_BASIS_RAISED": ("预警发出的日期（北京时间）", "The day the warning was raised (China time)"),
        "REPORT_PERIOD_BASIS_DUE": ("整改期限（到期日）", "The day the rectification was due"),
        "REPORT_PERIOD_BASIS_OPENED": ("开标日期（北京时间）", "The day the tender was opened (China time)"),
    },
    user_errors=False,
)

register_labels(
    "Report",
    {
        "volume": ("项目数量与资金", "Projects and money"),
        "fund_flow": ("资金流向", "Fund flow"),
        "cycle_time": ("办理时长", "Cycle times"),
        "over_budget": ("超预算情况", "Over budget"),
        "warning": ("预警情况", "Warnings"),
        "rectification": ("整改情况", "Rectifications"),
        "competition": ("竞争情况", "Competition"),
    },
)
register_labels(
    "ReportDimension",
    {
        "region": ("行政区划", "Region"),
        "year": ("年度", "Year"),
        "quarter": ("季度", "Quarter"),
        "month": ("月份", "Month"),
        "category": ("项目类别", "Category"),
        "method": ("采购方式", "Procurement method"),
        "status": ("项目状态", "Project status"),
        "organisation": ("建设单位", "Owner organisation"),
        "warning_kind": ("预警类型", "Warning kind"),
    },
)
register_labels("RegionLevel", {"province": ("省级", "Province"), "city": ("市级", "City"), "county": ("县级", "County")})
register_labels(
    "CycleStage",
    {
        "application_to_approval": ("申报至批准", "Application to approval"),
        "approval_to_tender": ("批准至发布采购公告", "Approval to tender published"),
        "tender_to_contract": ("发布采购公告至签订合同", "Tender published to contract signed"),
        "contract_to_works": ("签订合同至开工", "Contract signed to works started"),
        "works_to_acceptance": ("开工至竣工验收", "Works started to final acceptance"),
        "acceptance_to_final_payment": ("竣工验收至结清尾款", "Final acceptance to final payment"),
    },
)
