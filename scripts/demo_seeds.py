"""Demo records for the seed systems beyond 洛阳's ledger (issue 11), written by make_demo_content.py.

Each figure of the seed reports is reproduced by records, never typed in as an answer. Where a
report gives only totals, a record carries the count of what it stands for (a review opinion
document its number of opinions, a batch of deputies' suggestions its number of suggestions, an
exchange its number of materials); the site sums them. That keeps the demo at about 130 more
pages instead of about 1 300 (one per suggestion and opinion), which every test building the
demo would pay for.

- 丹江口 (2016–2020): 53 review opinion documents holding 193 opinions, all closed within the
  legal period; 10 专项工作评议 (79 problems, 35 opinions, every one 双满意); deputies' suggestions
  in 14 batches: this term 478 (sessions) + 296 (thematic activities), 327 resolved = 42.2 %,
  every year above 40 %; the previous term 240 of 700 = 34.3 %.
- 泸州: 15 more joint items (19 in all, "近 20 项") and 12 more exchanges (168 materials, "近 170 份").
- 派驻 (柳州 一会三单一报告, 临沂 lead cycle and quarterly meetings), 2024: a joint meeting, task,
  feedback and suggestion lists, four quarterly analysis reports, the quarterly 分析会 and
  研判处置会 (one still owed), and leads in every step of 移送 → 集中管理 → 分类处置 → 结果反馈.
"""

from __future__ import annotations

import random
from datetime import date, timedelta

from make_demo_content import cn, record_text

SOURCE_DJK = "示例数据，据《丹江口市人大加强干部任后履职监督——真监督带来好效果》（《楚天主人》2020年第12期）整理"
SOURCE_LZ = ("示例数据，据《聚焦探索构建协同监督工作格局｜泸州市人大案例入选2023年度泸州改革典型案例》"
             "（川南在线，2024年4月23日）整理")
SOURCE_PZ = "示例数据，据《贯通协同推动派驻监督提质增效》（山东省纪委监委网站，2024年10月23日）整理"

# --- 丹江口: review opinions ----------------------------------------------------------------------
# (year, subject of the deliberation, addressed unit, number of opinions). With the four
# hand-written documents of 2020 (14 opinions) they hold 193 opinions.
DJK_OPINIONS = [
    (2016, "执法检查", "《中华人民共和国食品安全法》贯彻实施情况", "djk-scj", 4),
    (2016, "专项工作报告", "市人民政府关于精准扶贫工作情况的报告", "djk-gov", 4),
    (2016, "专项工作报告", "市人民政府关于城区棚户区改造工作情况的报告", "djk-zjj", 3),
    (2016, "专项工作报告", "市人民政府关于南水北调水源区生态补偿资金使用情况的报告", "djk-czj", 4),
    (2016, "专题视察", "全市农村公路建设养护情况", "djk-jtj", 3),
    (2016, "专项工作报告", "市中心城区交通秩序整治工作情况的报告", "djk-gaj", 4),
    (2016, "专项工作报告", "市人民政府关于农村义务教育学校标准化建设情况的报告", "djk-jyj", 4),
    (2016, "专项工作报告", "市人民政府关于城乡居民基本医疗保险工作情况的报告", "djk-rsj", 3),
    (2016, "专项工作报告", "市人民政府关于柑橘产业发展情况的报告", "djk-nyj", 4),
    (2017, "执法检查", "《中华人民共和国水法》贯彻实施情况", "djk-slj", 4),
    (2017, "专项工作报告", "市人民政府关于库区移民后期扶持工作情况的报告", "djk-gov", 4),
    (2017, "专项工作报告", "市人民政府关于全域旅游发展情况的报告", "djk-wlj", 4),
    (2017, "专项工作报告", "市人民政府关于农村生活垃圾治理情况的报告", "djk-zjj", 3),
    (2017, "专题视察", "全市重点项目建设情况", "djk-fgj", 4),
    (2017, "专项工作报告", "市人民政府关于安全生产工作情况的报告", "djk-yjj", 4),
    (2017, "专项工作报告", "市人民政府关于政府债务管理情况的报告", "djk-czj", 3),
    (2017, "专项工作报告", "市人民政府关于县域医疗卫生服务体系建设情况的报告", "djk-wjj", 4),
    (2017, "专项工作报告", "市人民政府关于民营经济发展情况的报告", "djk-kjj", 3),
    (2017, "专项工作报告", "市人民政府关于审计查出问题整改情况的报告", "djk-sjj", 4),
    (2018, "执法检查", "《中华人民共和国大气污染防治法》贯彻实施情况", "djk-sthj", 4),
    (2018, "专项工作报告", "市人民政府关于养老服务体系建设情况的报告", "djk-mzj", 4),
    (2018, "专项工作报告", "市人民政府关于“放管服”改革工作情况的报告", "djk-xzsp", 3),
    (2018, "专项工作报告", "市人民政府关于不动产统一登记工作情况的报告", "djk-zrzy", 4),
    (2018, "专题视察", "全市脱贫攻坚产业扶贫项目情况", "djk-nyj", 4),
    (2018, "专项工作报告", "市人民政府关于国有资产管理情况的报告", "djk-czj", 4),
    (2018, "专项工作报告", "市人民政府关于公共法律服务体系建设情况的报告", "djk-sfj", 3),
    (2018, "专项工作报告", "市人民政府关于就业创业工作情况的报告", "djk-rsj", 4),
    (2018, "专项工作报告", "市人民政府关于城市管理执法体制改革情况的报告", "djk-cgj", 3),
    (2018, "专项工作报告", "市人民政府关于统计工作和统计数据质量情况的报告", "djk-tjj", 3),
    (2018, "专项工作报告", "市人民政府关于林长制和生态公益林保护情况的报告", "djk-lyj", 3),
    (2019, "执法检查", "《中华人民共和国土壤污染防治法》贯彻实施情况", "djk-sthj", 4),
    (2019, "执法检查", "《中华人民共和国道路交通安全法》贯彻实施情况", "djk-gaj", 3),
    (2019, "专项工作报告", "市人民政府关于医疗保障基金监管情况的报告", "djk-ybj", 4),
    (2019, "专项工作报告", "市人民政府关于退役军人服务保障体系建设情况的报告", "djk-tyj", 4),
    (2019, "专题视察", "全市农村饮水安全巩固提升工程情况", "djk-slj", 4),
    (2019, "专项工作报告", "市人民政府关于招商引资工作情况的报告", "djk-swj", 4),
    (2019, "专项工作报告", "市人民政府关于学前教育发展情况的报告", "djk-jyj", 3),
    (2019, "专项工作报告", "市人民政府关于农村人居环境整治三年行动情况的报告", "djk-nyj", 4),
    (2019, "专项工作报告", "市人民政府关于市场主体培育情况的报告", "djk-scj", 3),
    (2019, "专项工作报告", "市人民政府关于财政预算执行情况的报告", "djk-czj", 4),
    (2019, "专项工作报告", "市人民政府关于文物保护工作情况的报告", "djk-wlj", 3),
    (2020, "执法检查", "《中华人民共和国传染病防治法》贯彻实施情况", "djk-wjj", 4),
    (2020, "专题视察", "全市疫情防控和复工复产情况", "djk-fgj", 4),
    (2020, "专项工作报告", "市人民政府关于“一网通办”建设情况的报告", "djk-xzsp", 3),
    (2020, "专项工作报告", "市人民政府关于应急管理体系建设情况的报告", "djk-yjj", 4),
    (2020, "专项工作报告", "市人民政府关于城镇老旧小区改造情况的报告", "djk-zjj", 4),
    (2020, "专项工作报告", "市人民政府关于农村集体产权制度改革情况的报告", "djk-nyj", 3),
    (2020, "专项工作报告", "市人民政府关于社会救助工作情况的报告", "djk-mzj", 4),
    (2020, "专项工作报告", "市人民政府关于长江流域重点水域禁捕退捕情况的报告", "djk-nyj", 4),
]
# The hand-written review opinions of 2020 (content/resolutions/YJ-2020-001..004) hold 14.
DJK_OPINIONS_BY_HAND = 14

OPINION_POINTS = [
    "建立健全工作责任制，明确时间节点", "加大财政投入，保障工作经费", "加强部门协作，形成工作合力",
    "完善长效管理机制，防止问题反弹", "加强督查考核，压实属地责任", "强化宣传引导，提高群众知晓率",
    "加强队伍建设，提升基层能力", "规范资金管理，提高资金使用效益", "聚焦群众反映强烈的突出问题，限期整改",
]

# --- 丹江口: 专项工作评议 (10 departments, 79 problems and suggestions, 35 opinions) --------------------
DJK_APPRAISALS = [
    (2016, "djk-zjj", "市住房和城乡建设局", "城区棚户区改造和保障性住房分配", 9, 4),
    (2016, "djk-jtj", "市交通运输局", "农村公路建设和库区渡运安全", 7, 3),
    (2017, "djk-scj", "市市场监督管理局", "食品安全监管和“放心消费”创建", 8, 4),
    (2017, "djk-rsj", "市人力资源和社会保障局", "就业创业服务和农民工工资支付", 8, 3),
    (2018, "djk-mzj", "市民政局", "农村低保和特困人员供养", 9, 4),
    (2018, "djk-zrzy", "市自然资源和规划局", "不动产登记和耕地保护", 7, 3),
    (2019, "djk-nyj", "市农业农村局", "柑橘产业发展和农村人居环境整治", 8, 4),
    (2019, "djk-cgj", "市城市管理执法局", "城市精细化管理和违法建设治理", 8, 3),
    (2020, "djk-wjj", "市卫生健康局", "县域医共体建设和疫情防控", 8, 4),
    (2020, "djk-xzsp", "市行政审批局", "“一网通办”和企业开办便利化", 7, 3),
]

# --- 丹江口: deputies' suggestions in batches ----------------------------------------------------------
# (term, year, channel, occasion, handled, resolved). This term: sessions 478, thematic activities
# 296, resolved 327 (42.2 %), every year above 40 %; previous term 240 of 700 (34.3 %).
DJK_BATCHES = [
    ("term_08", 2011, "session_period", "第八届人民代表大会第一次会议", 132, 44),
    ("term_08", 2012, "session_period", "第八届人民代表大会第二次会议", 140, 48),
    ("term_08", 2013, "session_period", "第八届人民代表大会第三次会议", 145, 50),
    ("term_08", 2014, "session_period", "第八届人民代表大会第四次会议", 138, 48),
    ("term_08", 2015, "session_period", "第八届人民代表大会第五次会议", 145, 50),
    ("term_09", 2016, "session_period", "第九届人民代表大会第一次会议", 86, 36),
    ("term_09", 2017, "session_period", "第九届人民代表大会第二次会议", 102, 43),
    ("term_09", 2017, "recess_period", "“聚力脱贫攻坚、人大代表在行动”主题实践活动（2017年）", 68, 29),
    ("term_09", 2018, "session_period", "第九届人民代表大会第三次会议", 98, 41),
    ("term_09", 2018, "recess_period", "“聚力脱贫攻坚、人大代表在行动”主题实践活动（2018年）", 79, 34),
    ("term_09", 2019, "session_period", "第九届人民代表大会第四次会议", 95, 40),
    ("term_09", 2019, "recess_period", "“聚力脱贫攻坚、人大代表在行动”主题实践活动（2019年）", 81, 34),
    ("term_09", 2020, "session_period", "第九届人民代表大会第五次会议", 97, 41),
    ("term_09", 2020, "recess_period", "“聚力脱贫攻坚、人大代表在行动”主题实践活动（2020年）", 68, 29),
]
SUGGESTION_TOPICS = ["农村道路和饮水安全", "教育医疗资源配置", "产业扶贫和农产品销售", "城区交通和停车",
                     "库区生态保护", "养老服务和社会救助", "营商环境", "人居环境整治"]

# --- 泸州: more joint supervision items and exchanges ----------------------------------------------------
LZ_ITEMS = [
    # (id, plan, title, coordination, lead, co, subjects, started, completed)
    ("SX-2022-001", "JH-2022-02", "政务服务“一网通办”推进情况协同监督", "joint_three", "lz-rd", ["lz-xc", "lz-sj"], ["lz-zwfw"], date(2022, 8, 10), date(2022, 12, 20)),
    ("SX-2022-002", "JH-2022-02", "市级财政专项资金绩效管理情况监督", "joint_two", "lz-sj", ["lz-rd"], ["lz-czj"], date(2022, 8, 22), date(2022, 12, 15)),
    ("SX-2022-003", "JH-2022-02", "高标准农田建设项目管理情况监督", "joint_two", "lz-rd", ["lz-sj"], ["lz-nyj"], date(2022, 9, 5), date(2022, 12, 28)),
    ("SX-2022-004", "JH-2022-02", "保障性租赁住房筹集建设情况监督", "joint_three", "lz-xc", ["lz-rd", "lz-sj"], ["lz-zjj"], date(2022, 9, 16), date(2023, 1, 18)),
    ("SX-2022-005", "JH-2022-02", "涉企收费和惠企政策兑现情况监督", "joint_two", "lz-xc", ["lz-rd"], ["lz-fgw"], date(2022, 10, 11), date(2023, 1, 10)),
    ("SX-2022-006", "JH-2022-02", "公共法律服务体系建设情况监督", "joint_two", "lz-rd", ["lz-xc"], ["lz-sfj"], date(2022, 10, 25), date(2022, 12, 30)),
    ("SX-2024-010", "JH-2024-02", "义务教育阶段课后服务经费管理情况监督", "joint_two", "lz-rd", ["lz-sj"], ["lz-jyj"], date(2024, 3, 12), date(2024, 7, 30)),
    ("SX-2024-011", "JH-2024-02", "市场主体准入准营便利化情况三方联动监督", "joint_three", "lz-rd", ["lz-xc", "lz-sj"], ["lz-scj", "lz-zwfw"], date(2024, 3, 20), date(2024, 9, 26)),
    ("SX-2024-012", "JH-2024-02", "城市更新项目资金使用情况监督", "joint_two", "lz-sj", ["lz-rd"], ["lz-zjj"], date(2024, 4, 8), date(2024, 10, 16)),
    ("SX-2024-013", "JH-2024-02", "乡村振兴衔接资金项目监督", "joint_three", "lz-xc", ["lz-rd", "lz-sj"], ["lz-nyj", "lz-czj"], date(2024, 4, 15), None),
    ("SX-2024-014", "JH-2024-02", "政府投资项目审批和招投标情况监督", "joint_two", "lz-rd", ["lz-xc"], ["lz-fgw"], date(2024, 5, 9), None),
    ("SX-2024-015", "JH-2024-02", "食品安全“两个责任”落实情况监督", "joint_two", "lz-rd", ["lz-sj"], ["lz-scj"], date(2024, 5, 21), None),
    ("SX-2024-016", "JH-2024-02", "行政执法“三项制度”落实情况监督", "joint_two", "lz-xc", ["lz-rd"], ["lz-sfj"], date(2024, 6, 4), None),
    ("SX-2024-017", "JH-2024-02", "预算绩效管理改革三方联动监督", "joint_three", "lz-rd", ["lz-xc", "lz-sj"], ["lz-czj"], date(2024, 6, 18), None),
    ("SX-2024-018", "JH-2024-02", "基层医疗卫生机构医保基金使用情况监督", "joint_two", "lz-sj", ["lz-xc"], ["lz-gov"], date(2024, 7, 2), None),
]
LZ_EXCHANGES = [
    # (id, from, to, material, shared, pieces, item)
    ("JL-2022-001", "lz-xc", "lz-rd", "市政务服务管理局党组巡察反馈问题清单", date(2022, 8, 2), 8, "SX-2022-001"),
    ("JL-2022-002", "lz-sj", "lz-rd", "2021年度市级财政专项资金绩效审计报告及问题台账", date(2022, 8, 15), 10, "SX-2022-002"),
    ("JL-2022-003", "lz-rd", "lz-sj", "高标准农田建设项目视察调研报告及附件", date(2022, 9, 28), 9, "SX-2022-003"),
    ("JL-2022-004", "lz-sj", "lz-xc", "保障性住房建设项目审计发现问题汇总", date(2022, 9, 9), 7, "SX-2022-004"),
    ("JL-2022-005", "lz-rd", "lz-xc", "涉企收费政策执行情况代表调研材料", date(2022, 10, 8), 11, "SX-2022-005"),
    ("JL-2022-006", "lz-xc", "lz-rd", "市司法局党组巡察整改情况报告", date(2022, 10, 20), 9, "SX-2022-006"),
    ("JL-2024-001", "lz-sj", "lz-rd", "课后服务经费收支专项审计调查报告", date(2024, 3, 5), 8, "SX-2024-010"),
    ("JL-2024-002", "lz-xc", "lz-rd", "市市场监管局党组巡察反馈问题清单", date(2024, 3, 14), 10, "SX-2024-011"),
    ("JL-2024-003", "lz-rd", "lz-sj", "城市更新项目代表视察发现问题清单", date(2024, 4, 2), 9, "SX-2024-012"),
    ("JL-2024-004", "lz-sj", "lz-xc", "乡村振兴衔接资金审计报告及问题台账", date(2024, 4, 10), 8, "SX-2024-013"),
    ("JL-2024-005", "lz-xc", "lz-rd", "政府投资项目招投标领域巡察问题汇总", date(2024, 5, 6), 10, "SX-2024-014"),
    ("JL-2024-006", "lz-rd", "lz-sj", "食品安全执法检查报告及审议意见", date(2024, 5, 30), 9, "SX-2024-015"),
]


def djk_more(rng: random.Random) -> dict[str, str]:
    files: dict[str, str] = {}
    if sum(o[4] for o in DJK_OPINIONS) + DJK_OPINIONS_BY_HAND != 193:
        raise SystemExit("丹江口 review opinions: expected 193 opinions in all")
    per_year: dict[int, int] = {}
    for year, kind, subject, unit, count in DJK_OPINIONS:
        per_year[year] = per_year.get(year, 0) + 1
        seq = per_year[year] + (4 if year == 2020 else 0)   # YJ-2020-001..004 are by hand
        rid = f"YJ-{year}-{seq:03d}"
        adopted = date(year, rng.choice([2, 4, 6, 8, 10, 12]), rng.randint(20, 28))
        due = adopted + timedelta(days=90)
        if due.year > 2020 or (year == 2020 and adopted.month > 8):
            adopted = date(year, rng.choice([2, 4, 6]), rng.randint(20, 28))
            due = adopted + timedelta(days=90)
        responded = due - timedelta(days=rng.randint(3, 30))
        satisfied = rng.randint(19, 26)
        basic = rng.randint(0, 4)
        points = rng.sample(OPINION_POINTS, k=count)
        title = (f"关于{subject}执法检查报告的审议意见" if kind == "执法检查" else
                 f"关于{subject}专题视察报告的审议意见" if kind == "专题视察" else
                 f"关于{subject}的审议意见")
        body = (f"常委会会议{'听取和审议' if kind == '专项工作报告' else '审议'}了{subject}"
                f"{'' if kind == '专项工作报告' else kind + '报告'}，形成审议意见{count}条：\n\n"
                + "\n".join(f"{i}. {p}；" for i, p in enumerate(points, 1))
                + f"\n\n承办单位于{cn(responded)}书面报告办理情况，在法定期限内办结“销号”，"
                  "常委会会议对办理情况进行满意度测评。")
        files[f"resolutions/{rid}.md"] = record_text({
            "id": rid, "type": "resolution", "title": title, "status": "closed",
            "kind": "review_opinion", "body": "djk-rd",
            "adopted": adopted, "addressed_to": [unit], "response_due": due,
            "responded": responded, "response": f"已逐条研究办理，{count}条审议意见全部落实。",
            "satisfaction": "satisfied", "opinion_count": count,
            "satisfaction_votes": {"satisfied": satisfied, "basically_satisfied": basic,
                                   "unsatisfied": 0},
            "source": SOURCE_DJK,
        }, body)

    if (sum(a[4] for a in DJK_APPRAISALS), sum(a[5] for a in DJK_APPRAISALS)) != (79, 35):
        raise SystemExit("丹江口 appraisals: expected 79 problems and 35 opinions")
    for n, (year, unit, name, focus, problems, opinions) in enumerate(DJK_APPRAISALS):
        rid = f"PY-{year}-{n % 2 + 1:03d}"
        started = date(year, 3 + 4 * (n % 2), rng.randint(5, 20))
        appraised = started + timedelta(days=rng.randint(70, 90))
        completed = appraised + timedelta(days=rng.randint(150, 170))
        votes = [rng.randint(20, 25), rng.randint(1, 4), 0]
        rvotes = [rng.randint(21, 26), rng.randint(0, 3), 0]
        files[f"appraisals/{rid}.md"] = record_text({
            "id": rid, "type": "appraisal", "title": f"对{name}的专项工作评议",
            "status": "completed", "body": "djk-rd", "unit": unit, "started": started,
            "appraised_on": appraised, "problems_found": problems, "problems_rectified": problems,
            "opinions": opinions, "opinions_done": opinions,
            "appraisal_votes": dict(zip(("satisfied", "basically_satisfied", "unsatisfied"), votes)),
            "appraisal_result": "satisfied",
            "report_votes": dict(zip(("satisfied", "basically_satisfied", "unsatisfied"), rvotes)),
            "report_result": "satisfied", "completed": completed, "source": SOURCE_DJK,
        }, (f"市人大常委会对{name}开展专项工作评议，重点评议{focus}工作。调查走访阶段收集问题建议"
            f"{problems}条，原汁原味反馈给被评议部门，已全部整改。\n\n"
            f"{cn(appraised)}常委会会议听取评议报告，形成评议意见{opinions}条，定性测评结果为“满意”；"
            f"{cn(completed)}常委会会议表决整改情况报告，结果为“满意”，实现“双满意”。"))

    current = [b for b in DJK_BATCHES if b[0] == "term_09"]
    figures = (sum(b[4] for b in current if b[2] == "session_period"),
               sum(b[4] for b in current if b[2] == "recess_period"), sum(b[5] for b in current))
    if figures != (478, 296, 327):
        raise SystemExit(f"丹江口 suggestions drifted from the seed report: {figures}")
    per_year = {}
    for term, year, channel, occasion, handled, resolved in DJK_BATCHES:
        per_year[year] = per_year.get(year, 0) + 1
        rid = f"JB-{year}-{per_year[year]:02d}"
        assigned = date(year, 3, rng.randint(10, 25)) if channel == "session_period" else \
            date(year, 9, rng.randint(5, 25))
        evaluated = date(year + 1, 1, rng.randint(10, 25))
        a = resolved + rng.randint(2, 8)
        c = rng.randint(4, 12)
        d = rng.randint(1, 5)
        b = handled - a - c - d
        topics = "、".join(rng.sample(SUGGESTION_TOPICS, k=3))
        files[f"suggestion-batches/{rid}.md"] = record_text({
            "id": rid, "type": "suggestion_batch",
            "title": f"{occasion}代表建议交办（{handled}件）", "status": "evaluated",
            "body": "djk-rd", "term": term, "channel": channel, "occasion": occasion,
            "assigned": assigned, "handled": handled,
            "reply_classes": {"class_a": a, "class_b": b, "class_c": c, "class_d": d},
            "resolved": resolved, "evaluated_on": evaluated, "source": SOURCE_DJK,
        }, (f"{cn(assigned)}，市人大常委会将{occasion}期间代表提出的意见建议{handled}件交“一府一委两院”办理，"
            f"主要涉及{topics}等方面。承办单位与领衔代表见面沟通，全部按期办复：A类{a}件、B类{b}件、"
            f"C类{c}件、D类{d}件。\n\n经常委会跟踪督办，{cn(evaluated)}评价认定实际解决落实到位{resolved}件。"))
    return files


def luzhou(rng: random.Random) -> dict[str, str]:
    files: dict[str, str] = {}
    for pid, year, adopted in (("JH-2022-02", 2022, date(2022, 7, 28)),
                               ("JH-2024-02", 2024, date(2024, 2, 26))):
        items = [i for i in LZ_ITEMS if i[1] == pid]
        files[f"plans/{pid}.md"] = record_text({
            "id": pid, "type": "plan", "title": f"泸州市巡察监督、人大监督、审计监督{year}年度协同监督计划",
            "status": "completed" if year == 2022 else "in_progress", "body": "lz-rd", "year": year,
            "adopted": adopted, "source": SOURCE_LZ,
        }, (f"三方联席会议商定{year}年度“三方联动”“两两契合”的重点监督事项{len(items)}项：\n\n"
            + "\n".join(f"- {i[0]} {i[2]}" for i in items)))
    for rid, plan, title, coordination, lead, co, subjects, started, completed in LZ_ITEMS:
        partners = "、".join({"lz-rd": "市人大常委会", "lz-xc": "市委巡察办", "lz-sj": "市审计局"}[b]
                            for b in [lead] + co)
        files[f"items/{rid}.md"] = record_text({
            "id": rid, "type": "item", "title": title,
            "status": "completed" if completed else "launched", "plan": plan, "lead_body": lead,
            "co_bodies": co, "coordination": coordination, "subjects": subjects,
            "methods": rng.sample(["hearing_report", "inspection_visit", "audit", "inspection_tour",
                                   "law_enforcement_check"], k=2),
            "key": True, "started": started, "completed": completed, "source": SOURCE_LZ,
        }, (f"由{partners}按“同类程序合并、专业程序精简”开展的融合式监督，"
            f"{cn(started)}启动，"
            + (f"{cn(completed)}形成监督成果，成果形成前已征询协同机关意见。" if completed
               else "正在推进，形成成果前将征询协同机关意见。")))
    for rid, src, dst, material, shared, pieces, item in LZ_EXCHANGES:
        ended = shared + timedelta(days=rng.randint(40, 80))
        feedback = ended + timedelta(days=rng.randint(5, 25))
        files[f"exchanges/{rid}.md"] = record_text({
            "id": rid, "type": "exchange", "title": material, "status": "feedback_given",
            "from_body": src, "to_body": dst, "material": material, "shared": shared,
            "pieces": pieces, "related_item": item, "work_ended": ended, "feedback_on": feedback,
            "usage_feedback": rng.choice([
                "资料用于确定监督重点和调研路线，其中部分问题纳入审议意见。",
                "资料中的问题清单已逐项核对，部分问题列入本方监督发现问题并跟踪整改。",
                "资料用于审计取证前的风险研判，减少了被监督单位重复提供资料。"]),
            "source": SOURCE_LZ,
        }, f"按“同一个口子进、同一个口子出”的原则提供资料{pieces}份，使用方工作结束后已反馈使用情况。")
    return files


# --- 派驻: 一会三单一报告 (柳州) and the lead cycle and quarterly meetings (临沂), 2024 ---------------------

def paizhu(rng: random.Random) -> dict[str, str]:
    files: dict[str, str] = {}
    files["meetings/HY-2024-010.md"] = record_text({
        "id": "HY-2024-010", "type": "meeting", "title": "2024年度柳州市监督工作联席会议",
        "status": "held", "kind": "joint_meeting", "date": date(2024, 1, 23),
        "due_by": date(2024, 12, 31), "held_on": date(2024, 1, 23), "convener": "lzh-jw",
        "bodies": ["lzh-jw"],
        "decisions": ["统筹运用纪律监督、监察监督、派驻监督、巡察监督，制定2024年度监督任务单4份。",
                      "派驻机构每季度提交反馈单，市纪委监委每季度形成监督情况分析报告。"],
        "source": SOURCE_PZ,
    }, "联席会议由市纪委监委领导班子成员和各县区纪委监委、机关部室、派驻（出）机构及市委巡察办负责人组成。")
    tasks = [
        (1, "lzh-gxj", "螺蛳粉产业高质量发展专项监督", "驻市工业和信息化局纪检监察组"),
        (2, "lzh-sthj", "柳江流域生态环境保护监督", "驻市生态环境局纪检监察组"),
        (3, "lzh-zjj", "城镇老旧小区改造项目监督", "驻市住房城乡建设局纪检监察组"),
        (4, "lzh-scj", "食品安全领域群众身边不正之风专项监督", "驻市市场监管局纪检监察组"),
    ]
    seq = 0
    for q, unit, topic, group in tasks:
        seq += 1
        tid = f"GD-2024-{seq:03d}"
        issued = date(2024, 3 * q - 2, rng.randint(8, 15))
        due = date(2024, 3 * q, 28 if q == 1 else 30)
        files[f"dispatch-sheets/{tid}.md"] = record_text({
            "id": tid, "type": "dispatch_sheet", "title": f"监督任务单：{topic}", "status": "closed",
            "kind": "task_list", "body": "lzh-jw", "unit": unit, "dispatched_group": group,
            "issued": issued, "reply_due": due, "replied_on": due - timedelta(days=rng.randint(2, 10)),
            "reply": "派驻机构已按任务单深入一线开展监督，并提交反馈单。", "source": SOURCE_PZ,
        }, f"联席会议部署{topic}，由{group}牵头落实，本季度内完成并提交反馈单。")
        seq += 1
        fid = f"GD-2024-{seq:03d}"
        f_issued = due - timedelta(days=rng.randint(1, 6))
        files[f"dispatch-sheets/{fid}.md"] = record_text({
            "id": fid, "type": "dispatch_sheet", "title": f"监督反馈单：{topic}", "status": "closed",
            "kind": "feedback_list", "body": "lzh-jw", "unit": unit, "dispatched_group": group,
            "task": tid, "issued": f_issued, "replied_on": f_issued + timedelta(days=rng.randint(5, 20)),
            "reply": "市纪委监委对口联系室已审核反馈单，问题纳入季度分析报告。", "source": SOURCE_PZ,
        }, f"{group}反馈监督发现问题{rng.randint(4, 9)}个，已督促驻在单位整改。")
        if q == 4:
            continue
        seq += 1
        sid = f"GD-2024-{seq:03d}"
        s_issued = f_issued + timedelta(days=rng.randint(5, 12))
        fields = {
            "id": sid, "type": "dispatch_sheet", "title": f"监督建议单：{topic}", "kind": "suggestion_list",
            "body": "lzh-jw", "unit": unit, "dispatched_group": group, "task": tid, "issued": s_issued,
            "source": SOURCE_PZ,
        }
        if q == 1:
            fields.update(status="closed", replied_on=s_issued + timedelta(days=24),
                          reply="驻在单位已采纳建议，修订相关制度2项。")
        elif q == 2:
            fields.update(status="closed", replied_on=s_issued + timedelta(days=41),
                          reply="驻在单位超过期限后回复，已采纳建议。")
        else:
            fields.update(status="issued")
        files[f"dispatch-sheets/{sid}.md"] = record_text(
            {k: fields[k] for k in ("id", "type", "title", "status", "kind", "body", "unit",
                                    "dispatched_group", "task", "issued", "replied_on", "reply",
                                    "source") if k in fields},
            "针对监督中发现的制度漏洞，向驻在单位发出建议单，要求自收到之日起30日内书面回复。")
    # the quarterly analysis reports (the 一报告)
    for q in range(1, 5):
        rid = f"BG-2024-{9 + q:03d}"
        due = date(2024 + (q == 4), (3 * q) % 12 + 1, 15)
        submitted = due - timedelta(days=rng.randint(1, 8)) if q != 4 else due + timedelta(days=6)
        files[f"reports/{rid}.md"] = record_text({
            "id": rid, "type": "report", "title": f"2024年第{q}季度派驻监督情况分析报告",
            "status": "reviewed", "visibility": "internal", "kind": "analysis_report",
            "body": "lzh-jw", "period": f"2024年第{q}季度", "due": due, "submitted": submitted,
            "rating": "qualified", "source": SOURCE_PZ,
        }, "汇总本季度任务单、反馈单和建议单的办理情况，分析驻在单位共性问题，提出下一季度监督重点。")
    # 临沂: quarterly 分析会 and 研判处置会
    n = 10
    for q in range(1, 5):
        for kind, label in (("quarterly_analysis", "派驻监督情况分析会"),
                            ("lead_disposal", "问题线索研判处置会")):
            n += 1
            due = date(2024, 3 * q, 31 if q in (1, 4) else 30)
            held = due - timedelta(days=rng.randint(3, 20))
            fields = {"id": f"HY-2024-{n:03d}", "type": "meeting",
                      "title": f"2024年第{q}季度{label}", "status": "held", "kind": kind,
                      "date": held, "due_by": due, "held_on": held, "convener": "lyi-jw",
                      "bodies": ["lyi-jw"], "source": SOURCE_PZ}
            if kind == "quarterly_analysis" and q == 2:
                fields["date"] = fields["held_on"] = due + timedelta(days=9)     # held late
            if kind == "lead_disposal" and q == 4:
                fields["status"] = "planned"                                     # still owed
                fields["date"] = due - timedelta(days=5)
                del fields["held_on"]
            files[f"meetings/{fields['id']}.md"] = record_text(fields, (
                "指导、督促、推动派驻机构重点工作开展，通报本季度派驻监督情况。"
                if kind == "quarterly_analysis" else
                "集中研判派驻机构和职能部门移送的问题线索，按谈话函询、初步核实、暂存待查、予以了结分类提出处置意见。"))
    # leads in every step of 及时移送 → 集中管理 → 分类处置 → 结果反馈
    steps = [
        ("received", None, "驻在单位机关纪委", "反映某国有企业工程项目分包中存在利益输送问题。"),
        ("managed", None, "市审计局", "审计发现某学校食堂配餐合同履行中存在异常支付。"),
        ("disposed", "talk_inquiry", "驻市人社局纪检监察组", "反映城乡公益岗人员考勤造假、虚报冒领补贴。"),
        ("disposed", "preliminary_check", "市信访局", "反映某单位负责人违规接受管理服务对象宴请。"),
        ("closed", "set_aside", "驻在单位机关纪委", "反映某科室负责人违规兼职取酬，线索要素不全。"),
        ("closed", "concluded", "市委巡察办", "反映某项目验收把关不严，经查问题已整改。"),
    ]
    for i, (status, cls, source, summary) in enumerate(steps, start=10):
        rid = f"XS-2024-{i:03d}"
        moved = date(2024, rng.randint(2, 8), rng.randint(1, 20))
        fields = {"id": rid, "type": "lead", "title": f"派驻监督问题线索（{summary[:8]}…）",
                  "status": status, "visibility": "restricted", "owner_body": "lyi-jw",
                  "received": moved, "summary": summary, "verified": False,
                  "transferred_from": source, "transferred_on": moved}
        if status != "received":
            fields["managed_on"] = moved + timedelta(days=rng.randint(1, 3))
        if status in ("disposed", "closed"):
            fields["disposal_class"] = cls
            fields["disposed_on"] = fields["managed_on"] + timedelta(days=rng.randint(10, 25))
            fields["feedback_due"] = fields["disposed_on"] + timedelta(days=30)
        if status == "closed":
            fields["feedback_on"] = fields["feedback_due"] - timedelta(days=rng.randint(2, 12))
            fields["disposal"] = "已按分类处置意见办结，并向移送方书面反馈处置结果。"
        fields["source"] = SOURCE_PZ
        files[f"leads/{rid}.md"] = record_text(fields, (
            f"线索由{source}于{cn(moved)}移送，按“及时移送—集中管理—分类处置—结果反馈”闭环管理。"))
    return files


def seed_records(rng: random.Random) -> dict[str, str]:
    files = djk_more(rng)
    files.update(luzhou(rng))
    files.update(paizhu(rng))
    return files
