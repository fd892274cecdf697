//! The catalogue's operations.

use crate::catalog::ops as catalog;
use crate::catalog::wire::{MerchantCreate, MerchantDto, ProductCreate, ProductDto};

crate::operations! {
    tag "catalog";

    /// Every product, by name (for the pickers).
    list_products: Get "/api/products" -> [ProductDto]
        => blocking |s, c, i| catalog::products(s);

    /// One product.
    get_product: Get "/api/products/{id}" path(id) -> ProductDto
        => blocking |s, c, i| catalog::product(s, &i.path.id);

    /// Creates a product the bot sells.
    create_product: Post "/api/products" body(ProductCreate) status(201) -> ProductDto
        => blocking |s, c, i| catalog::create_product(s, &c.actor, i.body);

    /// Every merchant, by name.
    list_merchants: Get "/api/merchants" -> [MerchantDto]
        => blocking |s, c, i| catalog::merchants(s);

    /// Creates a merchant (a shop botdesk serves).
    create_merchant: Post "/api/merchants" body(MerchantCreate) status(201) -> MerchantDto
        => blocking |s, c, i| catalog::create_merchant(s, &c.actor, i.body);
}
