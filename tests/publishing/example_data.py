"""The contract's example record, built field by field, for the publishing tests."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from crawler.record import Image, Provider, Record, RelatedArticle

EXAMPLE_NAME = "000_c00510287d4fec22.txt"
# A copy of shared/examples' record, so the golden test also runs without ../shared.
EXAMPLE_COPY = Path(__file__).with_name("data") / EXAMPLE_NAME
SHARED_EXAMPLE = Path(__file__).resolve().parents[2].parent / "shared" / "examples" / EXAMPLE_NAME

EXAMPLE_SECURED = (
    "REyXSgr8aOEnz3mNDTgzRXxy0F19oe2y+x3ktOk2eNcCXLmjxPoPvibAwjwT7865ao8avWJnxPTCyER2SuwH1ySn1eZhpco+dw/VdIz"
    "SCcd54QIvfxxPeVc0O9Lr4k2yYGpDl6BHzAYsOGYTjbWAGL7vHhI2EPDUr+4a+ms2YPcbiphL0InXTzhd9tK+TsSvnwOBjA9Klo4yLs/"
    "r6W3elb/AKn061M4rE7/6M5hQzQ4mjDrL6WPnCLCBvCJBLcYdnq+5bIKaCu7cAdsJSMP8W4mKBqANyvYknTzyUk/65gsYRb18+IaWMfU"
    "uBSUYwDtqoWV2c/btGVmeLWQD5D6wqpkLSaJmz0YmndIre9VR49s=;5OQrTRi6b/ZcoPjTFemk9Q=="
)
EXAMPLE_URL = "https://technode.com/2021/08/30/chinas-ai-unicorn-sensetime-files-for-hong-kong-ipo/"


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)


def example_record() -> Record:
    """Every value of the contract's example record, field by field."""
    return Record(
        category="news",
        title="China’s AI unicorn SenseTime files for Hong Kong IPO",
        excerpt=(
            "China’s biggest AI firm SenseTime filed Friday to go public on the Hong Kong exchange as China "
            "tightens scrutiny on overseas listings. The firm is planning to raise at least $2 billion in its "
            "IPO, local media reported."
        ),
        published_at=utc(2021, 8, 30, 6, 3),
        original_url=EXAMPLE_URL,
        web_url=EXAMPLE_URL,
        amp_web_url=EXAMPLE_URL,
        cdn_amp_web_url=(
            "https://technode-com.cdn.ampproject.org/c/s/technode.com/2021/08/30/"
            "chinas-ai-unicorn-sensetime-files-for-hong-kong-ipo/"
        ),
        type="article",
        quality=57,
        heat=87,
        published=True,
        provider=Provider(name="TechNode", domain="technode.com"),
        topics=["AI"],
        images=[
            Image(
                url="https://i2.wp.com/technode.com/wp-content/uploads/2021/08/technode-news-feed-1-1.png?fit=540%2C540&ssl=1",
                width=540,
                height=540,
                is_cached=True,
            )
        ],
        related=[
            RelatedArticle(
                title="SoftBank-backed AI startup SenseTime files for Hong Kong IPO",
                excerpt=(
                    "In the first half of 2021, the China-based startup’s revenue increased 2x while its gross "
                    "profit margin went slightly up to 73%."
                ),
                published_at=utc(2021, 8, 30, 10, 13),
                web_url="https://www.techinasia.com/sensetime-ipo-hongkong-stock-exchange",
                type="article",
                provider=Provider(name="Techinasia", domain="techinasia.com"),
                quality=47,
            ),
            RelatedArticle(
                title="SenseTime, AI Startup to apply for IPO in Hong Kong",
                excerpt=(
                    "Since then, SenseTime has published a white paper titled “Code of Ethics for AI Sustainable "
                    "Development” and is collaborating with the United Nations to enhance AI ethics."
                ),
                published_at=utc(2021, 8, 28, 19, 37),
                web_url="https://techstory.in/sensetime-ai-startup-to-go-public/",
                type="article",
                provider=Provider(name="tech", domain="techstory.in"),
                quality=39,
                images=[
                    Image(
                        url="https://techstory.in/wp-content/uploads/2021/08/5e724d8cb14ec_compress.jpg",
                        width=792,
                        height=528,
                        is_cached=True,
                    )
                ],
            ),
            RelatedArticle(
                title=(
                    "Non-Profit Federated Learning Consortium (FLC) for Decentralized AI to Launch in Hong Kong, "
                    "Receives $2M Pledge"
                ),
                excerpt=(
                    "HONG KONG, CHINA / ACCESSWIRE / August 27, 2021 / Federated Learning Consortium (FLC) is a "
                    "global non-profit organization headquartered in Hong"
                ),
                published_at=utc(2021, 8, 27, 3, 40),
                web_url=(
                    "https://markets.businessinsider.com/news/stocks/non-profit-federated-learning-consortium-flc-"
                    "for-decentralized-ai-to-launch-in-hong-kong-receives-2m-pledge-1030763028"
                ),
                type="article",
                provider=Provider(name="Business Insider", domain="businessinsider.com"),
                quality=29,
            ),
        ],
        secured=EXAMPLE_SECURED,
    )
