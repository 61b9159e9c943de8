"""One module per network, named after its slug; `ALL` holds every entry."""

from app.catalog.entries import (
    adtraction,
    amazon,
    avantlink,
    awin,
    cj,
    flexoffers,
    netaffiliation,
    partnerize,
    pepperjam,
    postaffiliatepro,
    rakuten,
    refersion,
    skimlinks,
    sovrn,
    tradedoubler,
    tradetracker,
    tune,
    webgains,
)
from app.catalog.model import Network

ALL: tuple[Network, ...] = (
    adtraction.NETWORK,
    amazon.NETWORK,
    avantlink.NETWORK,
    awin.NETWORK,
    cj.NETWORK,
    flexoffers.NETWORK,
    netaffiliation.NETWORK,
    partnerize.NETWORK,
    pepperjam.NETWORK,
    postaffiliatepro.NETWORK,
    rakuten.NETWORK,
    refersion.NETWORK,
    skimlinks.NETWORK,
    sovrn.NETWORK,
    tradedoubler.NETWORK,
    tradetracker.NETWORK,
    tune.NETWORK,
    webgains.NETWORK,
)
