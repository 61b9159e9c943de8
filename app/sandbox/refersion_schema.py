"""The Refersion Marketplace GraphQL schema the sandbox serves, from the fact sheet and the
documentation samples (shared/networks/fixtures/refersion/): ids and counts as numbers,
amounts and Unix times as strings, `shop { name url shop_identifier }`, `payment { created }`
(null until paid), and `pageInfo { total_results { conversions } }` beside a query.
`Conversion.sub_id` (the `subid` of the clicked link) is inferred: Refersion reports sub-ids
with conversions, under the name its `clicks` type uses."""

from __future__ import annotations

from app.sandbox.kit.graphql import build_schema

SDL = """
type Query {
  affiliates: [Affiliate]
  conversions(
    created_from: Int, created_to: Int, first: Int, offset: Int,
    status: String, payment_status: String
  ): [Conversion]
  payments(created_from: Int, created_to: Int, first: Int, offset: Int): [Payment]
  pageInfo: PageInfo
}

type Shop {
  name: String
  url: String
  shop_identifier: String
  currency: String
}

type Affiliate {
  id: Int
  name: String
  email: String
  status: String
  rfsn_parameter: String
  shop: Shop
}

type Conversion {
  id: Int
  total: String
  commission_total: String
  currency: String
  created: String
  status: String
  affiliate_id: Int
  affiliate: Affiliate
  coupon_code: String
  sub_id: String
  subscription_id: Int
  shop: Shop
  payment: Payment
}

type Payment {
  id: Int
  created: String
  commission_total: String
  currency: String
  total_conversions: Int
  shop: Shop
}

type TotalResults {
  conversions: Int
  affiliates: Int
  payments: Int
}

type PageInfo {
  total_results: TotalResults
}
"""

SCHEMA = build_schema(SDL)
