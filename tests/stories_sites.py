"""Three small provider sites that report the same stories in different words.

- The Xiaomi SU7 recall: alpha and beta on the same day with different
  headlines, gamma a day later.
- CATL's sodium-ion battery: alpha and gamma.
- Unrelated: Xiaomi's Paris store (beta: same company, another story),
  Tencent's results (alpha), Shein's listing (gamma).
"""

from __future__ import annotations

from pathlib import Path

import yaml

PROVIDERS = {
    "alpha": ("Alpha Tech", "alpha-tech.com"),
    "beta": ("Beta Daily", "beta-daily.com"),
    "gamma": ("Gamma Wire", "gamma-wire.com"),
}

ARTICLES = {
    "alpha": [
        (
            "/news/xiaomi-recalls-su7-sedans/",
            "Xiaomi recalls 30,000 SU7 sedans over driver-assist flaw",
            "2026-11-20T08:00:00+00:00",
            "Xiaomi will recall 30,000 SU7 electric sedans after regulators found a flaw in its Xiaomi Pilot"
            " assisted-driving system.",
            "The recall covers SU7 cars built between March and October, China's market regulator said. Xiaomi"
            " will push an over-the-air update to the Xiaomi Pilot software. The SU7 is Xiaomi's first electric"
            " car and has sold more than 200,000 units. Shares of Xiaomi fell 4% in Hong Kong.",
        ),
        (
            "/news/catl-unveils-sodium-ion-battery/",
            "CATL unveils sodium-ion battery for cheap electric cars",
            "2026-11-19T03:00:00+00:00",
            "CATL, the world's largest battery maker, showed a sodium-ion cell it says will cut battery costs by 30%.",
            "The Naxtra sodium-ion battery reaches 175 Wh/kg and works at minus 40 degrees, CATL said at an"
            " event in Ningde. Mass production starts in December. Sodium-ion cells avoid lithium, whose price"
            " swings have squeezed carmakers.",
        ),
        (
            "/news/tencent-third-quarter-results/",
            "Tencent posts 15% profit rise on games and advertising",
            "2026-11-19T10:00:00+00:00",
            "Tencent's third-quarter profit rose 15% as domestic games and WeChat advertising grew.",
            "Revenue at the Shenzhen-based company reached 180 billion yuan. Games such as Honor of Kings"
            " recovered, and video accounts on WeChat drew more advertisers. Tencent kept buying back shares.",
        ),
    ],
    "beta": [
        (
            "/news/china-orders-xiaomi-su7-callback/",
            "China orders Xiaomi to call back 30,000 SU7 cars",
            "2026-11-20T11:30:00+00:00",
            "China's market regulator told Xiaomi to call back 30,000 of its SU7 electric cars because of a"
            " fault in the Xiaomi Pilot driver-assistance software.",
            "About 30,000 SU7 sedans made from March to October are affected. Xiaomi said an over-the-air"
            " software update would fix the Xiaomi Pilot problem and that no crashes had been linked to it."
            " Xiaomi shares dropped 4% in Hong Kong trading after the announcement.",
        ),
        (
            "/news/xiaomi-opens-paris-flagship-store/",
            "Xiaomi opens its first flagship store in Paris",
            "2026-11-20T15:00:00+00:00",
            "Xiaomi opened a two-floor flagship shop on the Champs-Élysées, its biggest in Europe.",
            "The Paris shop sells Xiaomi phones, tablets, watches and home appliances, and will later show"
            " its cars. Xiaomi plans 20 more stores across France, Spain and Italy next year as it pushes"
            " into European retail.",
        ),
    ],
    "gamma": [
        (
            "/news/what-the-su7-recall-means-for-xiaomi/",
            "What the SU7 recall means for Xiaomi's car ambitions",
            "2026-11-21T09:00:00+00:00",
            "The recall of 30,000 SU7 sedans is a first test for Xiaomi's young car business and its Xiaomi"
            " Pilot driving software.",
            "A day after China's regulator announced the SU7 recall, analysts said the over-the-air fix limits"
            " the cost for Xiaomi. The SU7 has sold 200,000 units, and Xiaomi's Hong Kong shares lost 4% on the"
            " news.",
        ),
        (
            "/news/catl-starts-sodium-ion-production/",
            "CATL's sodium-ion cells head to mass production",
            "2026-11-19T09:00:00+00:00",
            "Battery giant CATL will mass-produce its Naxtra sodium-ion battery from December, promising 30%"
            " lower costs than lithium cells.",
            "The sodium-ion battery stores 175 Wh/kg and keeps working at minus 40 degrees, CATL said in"
            " Ningde. Carmakers hope sodium-ion cells will make cheap electric cars possible without lithium.",
        ),
        (
            "/news/shein-plans-london-listing/",
            "Shein files for a London listing",
            "2026-11-20T07:00:00+00:00",
            "Fast-fashion retailer Shein filed confidentially for an initial public offering in London.",
            "Shein, founded in China and based in Singapore, dropped plans to list in New York. The company"
            " sells cheap clothing online in more than 150 countries.",
        ),
    ],
}

PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<title>{title} - {site}</title>
<meta property="og:site_name" content="{site}">
<meta property="og:type" content="article">
<meta property="og:title" content="{title}">
<meta name="description" content="{excerpt}">
<meta property="article:published_time" content="{published}">
<link rel="canonical" href="{{{{base}}}}{path}">
</head><body><article><h1>{title}</h1><p>{excerpt}</p><p>{body}</p></article></body></html>
"""


def build(root: Path) -> Path:
    """Write the three sites under ``root/<key>/`` and a registry for them; return the registry path."""
    for key, articles in ARTICLES.items():
        name = PROVIDERS[key][0]
        for path, title, published, excerpt, body in articles:
            page = root / key / path.strip("/") / "index.html"
            page.parent.mkdir(parents=True, exist_ok=True)
            page.write_text(
                PAGE.format(title=title, site=name, excerpt=excerpt, body=body, published=published, path=path),
                encoding="utf-8",
            )
    registry = {
        "providers": {
            key: {
                "name": name,
                "domain": domain,
                "standing": 60,
                "sources": [{"kind": "feed", "url": f"https://{domain}/feed/"}],
                "article_urls": ["^/news/[a-z0-9-]+/$"],
            }
            for key, (name, domain) in PROVIDERS.items()
        }
    }
    path = root / "providers.yaml"
    path.write_text(yaml.safe_dump(registry), encoding="utf-8")
    return path
