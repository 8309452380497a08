"""How readouts write the names of the people the record knows, in both languages.

A Chinese readout writes a US official in the Xinhua transliteration (布林肯, 耶伦) and a PRC
official in characters; an English readout writes names with middle initials and suffixes
("Antony J. Blinken", "Joseph R. Biden, Jr.", "Lloyd J. Austin III"). People rows keep the name,
the Chinese name and other spellings (`Person.name_zh`, `Person.aliases`); this table adds the
renderings those rows do not hold yet, keyed by the person's slug, so the readout parser
(engagements/domain/readouts.py) finds people whose row predates the intake. A rendering shared by
two people (布什, 克林顿) carries the years in which it means each of them; outside those years it
stays ambiguous and the parser proposes no person.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class Rendering:
    slug: str
    name: str
    side: str
    zh: tuple = ()  # Chinese renderings
    en: tuple = ()  # other English spellings
    years: tuple = ()  # (first, last) year in which an ambiguous Chinese rendering means them


R = Rendering
US, PRC = "us", "prc"

RENDERINGS = [
    # US presidents and vice presidents.
    R(
        "george-h-w-bush",
        "George H. W. Bush",
        US,
        ("布什", "乔治·布什"),
        ("George Bush",),
        (1989, 1993),
    ),
    R(
        "bill-clinton",
        "Bill Clinton",
        US,
        ("克林顿",),
        ("William J. Clinton", "William Jefferson Clinton"),
        (1993, 2001),
    ),
    R(
        "george-w-bush",
        "George W. Bush",
        US,
        ("布什", "乔治·沃克·布什", "小布什"),
        (),
        (2001, 2009),
    ),
    R("barack-obama", "Barack Obama", US, ("奥巴马",), ("Barack H. Obama",)),
    R(
        "donald-trump",
        "Donald Trump",
        US,
        ("特朗普", "唐纳德·特朗普", "川普"),
        ("Donald J. Trump",),
    ),
    R(
        "joe-biden",
        "Joe Biden",
        US,
        ("拜登", "约瑟夫·拜登"),
        ("Joseph R. Biden", "Joseph R. Biden, Jr.", "Joseph Biden"),
    ),
    R("al-gore", "Al Gore", US, ("戈尔",), ("Albert Gore",)),
    R("mike-pence", "Mike Pence", US, ("彭斯",), ("Michael R. Pence",)),
    R("kamala-harris", "Kamala Harris", US, ("哈里斯",), ("Kamala D. Harris",)),
    R("jd-vance", "JD Vance", US, ("万斯",), ("J.D. Vance", "James David Vance")),
    # Secretaries of State.
    R("james-baker", "James Baker", US, ("贝克",), ("James A. Baker",)),
    R("warren-christopher", "Warren Christopher", US, ("克里斯托弗",)),
    R("madeleine-albright", "Madeleine Albright", US, ("奥尔布赖特",), ("Madeleine K. Albright",)),
    R("colin-powell", "Colin Powell", US, ("鲍威尔",), ("Colin L. Powell",)),
    R("condoleezza-rice", "Condoleezza Rice", US, ("赖斯",)),
    R(
        "hillary-clinton",
        "Hillary Clinton",
        US,
        ("希拉里", "希拉里·克林顿", "克林顿"),
        ("Hillary Rodham Clinton",),
        (2009, 2013),
    ),
    R("john-kerry", "John Kerry", US, ("克里",), ("John F. Kerry",)),
    R("rex-tillerson", "Rex Tillerson", US, ("蒂勒森",), ("Rex W. Tillerson",)),
    R("mike-pompeo", "Mike Pompeo", US, ("蓬佩奥",), ("Michael R. Pompeo", "Michael Pompeo")),
    R("antony-blinken", "Antony Blinken", US, ("布林肯",), ("Antony J. Blinken", "Tony Blinken")),
    R("marco-rubio", "Marco Rubio", US, ("鲁比奥", "卢比奥"), ("Marco A. Rubio",)),
    # Treasury, Commerce, USTR.
    R("henry-paulson", "Henry Paulson", US, ("保尔森",), ("Henry M. Paulson", "Hank Paulson")),
    R("timothy-geithner", "Timothy Geithner", US, ("盖特纳",), ("Timothy F. Geithner",)),
    R("jacob-lew", "Jacob Lew", US, ("雅各布·卢",), ("Jacob J. Lew", "Jack Lew")),
    R("steven-mnuchin", "Steven Mnuchin", US, ("姆努钦",), ("Steven T. Mnuchin",)),
    R("janet-yellen", "Janet Yellen", US, ("耶伦", "叶伦", "珍妮特·耶伦"), ("Janet L. Yellen",)),
    R("scott-bessent", "Scott Bessent", US, ("贝森特",)),
    R("wilbur-ross", "Wilbur Ross", US, ("罗斯",), ("Wilbur L. Ross",)),
    R("gina-raimondo", "Gina Raimondo", US, ("雷蒙多",), ("Gina M. Raimondo",)),
    R("howard-lutnick", "Howard Lutnick", US, ("卢特尼克",)),
    R("robert-lighthizer", "Robert Lighthizer", US, ("莱特希泽",), ("Robert E. Lighthizer",)),
    R("katherine-tai", "Katherine Tai", US, ("戴琪",), ("Katherine C. Tai",)),
    R("jamieson-greer", "Jamieson Greer", US, ("格里尔",)),
    # Defense.
    R("william-perry", "William Perry", US, ("佩里",), ("William J. Perry",)),
    R("william-cohen", "William Cohen", US, ("科恩",), ("William S. Cohen",)),
    R("donald-rumsfeld", "Donald Rumsfeld", US, ("拉姆斯菲尔德",), ("Donald H. Rumsfeld",)),
    R("robert-gates", "Robert Gates", US, ("盖茨",), ("Robert M. Gates",)),
    R("leon-panetta", "Leon Panetta", US, ("帕内塔",), ("Leon E. Panetta",)),
    R("chuck-hagel", "Chuck Hagel", US, ("哈格尔",)),
    R("jim-mattis", "Jim Mattis", US, ("马蒂斯",), ("James N. Mattis", "James Mattis")),
    R("mark-esper", "Mark Esper", US, ("埃斯珀",), ("Mark T. Esper",)),
    R("lloyd-austin", "Lloyd Austin", US, ("奥斯汀",), ("Lloyd J. Austin", "Lloyd J. Austin III")),
    R(
        "pete-hegseth",
        "Pete Hegseth",
        US,
        ("赫格塞思", "赫格塞斯"),
        ("Peter B. Hegseth", "Peter Hegseth"),
    ),
    # White House and envoys.
    R("tom-donilon", "Tom Donilon", US, ("多尼伦",), ("Thomas E. Donilon",)),
    R("john-bolton", "John Bolton", US, ("博尔顿",)),
    R("jake-sullivan", "Jake Sullivan", US, ("沙利文", "苏利文")),
    R("wendy-sherman", "Wendy Sherman", US, ("舍曼",), ("Wendy R. Sherman",)),
    R("larry-kudlow", "Larry Kudlow", US, ("库德洛",)),
    R("jared-kushner", "Jared Kushner", US, ("库什纳",)),
    R("peter-navarro", "Peter Navarro", US, ("纳瓦罗",)),
    # PRC officials whose rows may lack their name in characters.
    R("li-peng", "Li Peng", PRC, ("李鹏",)),
    R("qian-qichen", "Qian Qichen", PRC, ("钱其琛",)),
    R("tang-jiaxuan", "Tang Jiaxuan", PRC, ("唐家璇",)),
    R("zhu-rongji", "Zhu Rongji", PRC, ("朱镕基",)),
    R("dai-bingguo", "Dai Bingguo", PRC, ("戴秉国",)),
    R("li-keqiang", "Li Keqiang", PRC, ("李克强",)),
    R("wang-qishan", "Wang Qishan", PRC, ("王岐山",)),
    R("liu-he", "Liu He", PRC, ("刘鹤",)),
    R("he-lifeng", "He Lifeng", PRC, ("何立峰",)),
    R("wang-wentao", "Wang Wentao", PRC, ("王文涛",)),
    R("li-qiang", "Li Qiang", PRC, ("李强",)),
    R("wei-fenghe", "Wei Fenghe", PRC, ("魏凤和",), ("General Wei Fenghe",)),
    R("dong-jun", "Dong Jun", PRC, ("董军",), ("Admiral Dong Jun",)),
    R("li-shangfu", "Li Shangfu", PRC, ("李尚福",)),
    R("han-zheng", "Han Zheng", PRC, ("韩正",)),
    R("li-chenggang", "Li Chenggang", PRC, ("李成钢",)),
]


# How readouts write offices, mapped onto the titles the record uses (engagements/domain/ranks.py
# ranks those). Per side, more specific before less ("副国务卿" before "国务卿").
OFFICE_TITLES = {
    US: [
        (r"副总统|Vice President", "Vice President of the United States"),
        (r"总统|President", "President of the United States"),
        (r"常务副国务卿|副国务卿|Deputy Secretary of State", "Deputy Secretary of State"),
        (r"国务卿|Secretary of State", "Secretary of State"),
        (r"财政部长|Secretary of the Treasury|Treasury Secretary", "Secretary of the Treasury"),
        (
            r"国防部长|Secretary of (?:Defense|War)|(?:Defense|War) Secretary",
            "Secretary of Defense",
        ),
        (r"商务部长|Secretary of Commerce|Commerce Secretary", "Secretary of Commerce"),
        (r"贸易代表|Trade Representative", "United States Trade Representative"),
        (
            r"国家安全事务助理|国家安全顾问|National Security Advis[eo]r",
            "National Security Advisor",
        ),
        (
            r"气候特使|Special Presidential Envoy for Climate",
            "Special Presidential Envoy for Climate",
        ),
        (
            r"驻华大使|Ambassador to (?:the People|China)",
            "Ambassador to the People's Republic of China",
        ),
    ],
    PRC: [
        (r"国家副主席|Vice President", "Vice President of the People's Republic of China"),
        (r"国家主席|President|State Chairman", "President of the People's Republic of China"),
        (r"副总理|Vice Premier", "Vice Premier of the State Council"),
        (r"总理|Premier", "Premier of the State Council"),
        (
            r"中央外事工作委员会办公室主任|中央外办主任|中央外事办公室主任|中央外事办主任|"
            r"Central Foreign Affairs (?:Commission|Office)|Foreign Affairs Commission",
            "Director of the Office of the Central Foreign Affairs Commission",
        ),
        (r"国务委员|State Councilor", "State Councilor"),
        (r"外交部副部长|Vice (?:Foreign )?Minister", "Vice Minister of Foreign Affairs"),
        (r"外长|外交部长|Foreign Minister", "Foreign Minister"),
        (r"国防部长|Minister of National Defense|Defense Minister", "Minister of National Defense"),
        (r"商务部长|商务部部长|Minister of Commerce", "Minister of Commerce"),
        (r"驻美国?大使|Ambassador to the United States", "Ambassador to the United States"),
        (r"政治局常委|Politburo Standing Committee", "Member of the Politburo Standing Committee"),
        (r"政治局委员|Politburo Member|Member of the Politburo", "Member of the Politburo"),
    ],
}
PARTY_RANKS = {"Member of the Politburo", "Member of the Politburo Standing Committee"}


def record_office(side, office):
    """The record's title(s) for an office as a readout writes it ("国务委员兼外长" → "State
    Councilor and Foreign Minister"), "" when none is recognised. A Politburo seat is named only
    when no government office is."""
    import re

    text, titles = office, []
    for pattern, title in OFFICE_TITLES.get(side, []):
        if re.search(pattern, text):
            titles.append(title)
            text = re.sub(pattern, " ", text)
    government = [t for t in titles if t not in PARTY_RANKS]
    return " and ".join(government or titles)
