"""CSV exports (Shopify, Magento 2, a custom JSON mapping) loaded end to end.

Each test writes a small but realistic export into tmp_path and loads it through
``load_catalog``, so the CSV reshaping and the JSONL validation are tested together:
a bad price must come back as a skipped row with the CSV line where the product starts.
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from index.catalog import Catalog, load_catalog
from index.errors import CatalogError
from index.importers import read_csv_rows
from index.importers.fields import number
from index.importers.html_text import plain_text

SHOPIFY_HEADER = (
    "Handle,Title,Body (HTML),Vendor,Product Category,Type,Tags,Published,"
    "Option1 Name,Option1 Value,Option2 Name,Option2 Value,Option3 Name,Option3 Value,"
    "Variant SKU,Variant Grams,Variant Inventory Qty,Variant Price,Variant Compare At Price,"
    "Variant Requires Shipping,Image Src,Image Position,Image Alt Text,Variant Image,Status"
)
CDN = "https://cdn.shopify.com/s/files/1/0001/products"
SHOPIFY_ROWS = [
    # a configurable hoodie: colour x size, an HTML description with a quoted newline
    f'chaz-hoodie,Chaz Kangeroo Hoodie,"<p>Soft &amp; warm fleece.</p>\n<ul>'
    f'<li>Kangaroo pocket</li><li>Ribbed cuffs</li></ul>",'
    "Luma,Apparel & Accessories > Clothing > Hoodies,Hoodie,"
    f'"winter, Men",TRUE,Color,Blue,Size,S,,,MH01-S-Blue,500,3,52.00,,TRUE,'
    f"{CDN}/chaz-blue.jpg?v=1700000000,1,Blue,,active",
    "chaz-hoodie,,,,,,,,,Blue,,M,,,MH01-M-Blue,500,3,52.00,,TRUE,,,,,",
    f"chaz-hoodie,,,,,,,,,Red,,S,,,MH01-S-Red,500,0,54.00,,TRUE,{CDN}/chaz-red.jpg,2,,{CDN}/chaz-red.jpg,",
    "chaz-hoodie,,,,,,,,,Red,,M,,,MH01-M-Red,500,1,54.00,,TRUE,,,,,",
    f"chaz-hoodie,,,,,,,,,,,,,,,,,,,,{CDN}/chaz-hoodie-back.jpg,3,Back view,,",
    # a simple bottle on sale: compare-at 9 above price 7
    "sprite-bottle,Sprite Water Bottle,Keeps cold for 24 hours,Luma,,Bottle,gear,TRUE,"
    "Title,Default Title,,,,,24-UG01,300,10,7.00,9.00,TRUE,images/bottle.jpg,1,,,active",
    # a price nobody can read: skipped with its line, the rest loads
    "broken-tee,Broken Tee,,Luma,,Tee,,TRUE,Title,Default Title,,,,,TEE-1,200,1,call us,,"
    "TRUE,,,,,active",
    "draft-cap,Draft Cap,,Luma,,Cap,,FALSE,Title,Default Title,,,,,CAP-1,100,1,15,,TRUE,,,,,draft",
]
SHOPIFY_CSV = SHOPIFY_HEADER + "\n" + "\n".join(SHOPIFY_ROWS) + "\n"

MAGENTO_HEADER = (
    "sku,store_view_code,attribute_set_code,product_type,categories,product_websites,name,"
    "description,short_description,weight,product_online,visibility,price,special_price,"
    "url_key,base_image,base_image_label,additional_images,additional_image_labels,"
    "additional_attributes,qty,related_skus,crosssell_skus,upsell_skus,"
    "configurable_variations,configurable_variation_labels"
)
TOPS = "Default Category/Men,Default Category/Men/Tops,Default Category/Men/Tops/Hoodies"
MAGENTO_ROWS = [
    "MH01-S-Black,,Top,simple,,base,Chaz Hoodie-S-Black,,,1,1,Not Visible Individually,52,,"
    ',/m/h/mh01-black_main.jpg,,,,"color=Black,size=S",100,,,,,',
    "MH01-M-Black,,Top,simple,,base,Chaz Hoodie-M-Black,,,1,1,Not Visible Individually,52,,"
    ',/m/h/mh01-black_main.jpg,,,,"color=Black,size=M",100,,,,,',
    "MH01-S-Gray,,Top,simple,,base,Chaz Hoodie-S-Gray,,,1,1,Not Visible Individually,55,,"
    ',,,,,"color=Gray,size=S",100,,,,,',
    f'MH01,,Top,configurable,"{TOPS},Default Category/Collections/Eco Friendly",base,'
    'Chaz Kangeroo Hoodie,"<p>Ideal for cold-weather training.</p>\n<ul><li>Cotton &amp; '
    'polyester</li></ul>",,1,1,"Catalog, Search",,,chaz,/m/h/mh01-gray_main.jpg,,'
    '/m/h/mh01-gray_back.jpg,,"material=Cotton|Polyester,eco_collection=Yes,pattern=Solid",'
    '0,24-MB01,,,"sku=MH01-S-Black,color=Black,size=S|sku=MH01-M-Black,color=Black,size=M|'
    'sku=MH01-S-Gray,color=Gray,size=S","color=Color,size=Size"',
    "24-MB01,,Bag,simple,Default Category/Gear/Bags,base,Joust Duffle Bag,The sporty bag,,1,1,"
    '"Catalog, Search",34.000000,29.000000,joust,'
    "https://shop.example/media/catalog/product/m/b/mb01-blue-0.jpg,,,,"
    '"activity=Gym|Travel,color=Blue,features=Audio Pocket|Laptop Sleeve, 15 inches",'
    "10,MH01-S-Gray,,,,",
    "24-MB01,de_de,Bag,simple,,base,Joust Sporttasche,,,,,,,,,,,,,,,,,,,",
    "24-MB02,,Bag,simple,Default Category/Gear/Bags,base,Fusion Backpack,,,1,1,"
    '"Catalog, Search",abc,,fusion,/m/b/mb02-gray-0.jpg,,,,,10,,,,,',
    "24-XX99,,Bag,simple,,base,Orphan Part,,,1,1,Not Visible Individually,5,,,,,,,,1,,,,,",
]
MAGENTO_CSV = MAGENTO_HEADER + "\n" + "\n".join(MAGENTO_ROWS) + "\n"


def first_line_of(text: str, prefix: str) -> int:
    """1-based physical line of the row that starts with ``prefix``."""
    return next(n for n, line in enumerate(text.splitlines(), 1) if line.startswith(prefix))


def add_photos(folder: Path, *names: str) -> None:
    for name in names:
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_bytes(b"\xff\xd8 not really a jpeg")


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def messages(catalog: Catalog) -> list[str]:
    return [str(problem) for problem in catalog.problems]


def test_shopify_export_end_to_end(tmp_path: Path) -> None:
    add_photos(tmp_path, "images/chaz-blue.jpg", "chaz-red.jpg", "images/bottle.jpg")
    catalog = load_catalog(write(tmp_path, "products_export.csv", SHOPIFY_CSV))

    assert [p.id for p in catalog.products] == ["chaz-hoodie", "sprite-bottle"]
    hoodie = catalog.get("chaz-hoodie")
    assert hoodie is not None
    assert hoodie.type == "configurable"
    assert hoodie.name == "Chaz Kangeroo Hoodie"
    assert hoodie.description == "Soft & warm fleece.\n- Kangaroo pocket\n- Ribbed cuffs"
    assert hoodie.categories == ("Apparel & Accessories/Clothing/Hoodies", "Hoodie")
    assert hoodie.attributes["vendor"] == "Luma"
    assert hoodie.attributes["tags"] == ("winter", "Men")
    assert [(v.sku, v.color, v.size, v.price) for v in hoodie.variants] == [
        ("MH01-S-Blue", "Blue", "S", 52.0),
        ("MH01-M-Blue", "Blue", "M", 52.0),
        ("MH01-S-Red", "Red", "S", 54.0),
        ("MH01-M-Red", "Red", "M", 54.0),
    ]
    assert hoodie.colors == ("Blue", "Red") and hoodie.sizes == ("S", "M")
    assert hoodie.price == 52.0 and hoodie.special_price is None
    # remote photos that exist locally by file name are used, with their colour
    assert [(i.file, i.view, i.color) for i in hoodie.images] == [
        ("images/chaz-blue.jpg", "main", "Blue"),
        ("chaz-red.jpg", "main", "Red"),
    ]

    bottle = catalog.get("sprite-bottle")
    assert bottle is not None
    assert bottle.type == "simple"
    assert (bottle.price, bottle.special_price, bottle.effective_price) == (9.0, 7.0, 7.0)
    assert bottle.variants[0].sku == "24-UG01" and bottle.variants[0].color is None
    assert [i.file for i in bottle.images] == ["images/bottle.jpg"]

    found = messages(catalog)
    broken = first_line_of(SHOPIFY_CSV, "broken-tee,")
    assert f"line {broken} (broken-tee): skipped: price is not a number: 'call us'" in found
    draft = first_line_of(SHOPIFY_CSV, "draft-cap,")
    assert any(m.startswith(f"line {draft}: skipped: draft-cap has status 'draft'") for m in found)
    # the remote photo with no local copy is named where it should go, and reported
    assert any("image file not found: images/chaz-hoodie-back.jpg" in m for m in found)


def test_magento_export_end_to_end(tmp_path: Path) -> None:
    add_photos(tmp_path, "images/mh01-gray_main.jpg", "images/mh01-black_main.jpg")
    add_photos(tmp_path, "mb01-blue-0.jpg")
    catalog = load_catalog(write(tmp_path, "export_catalog_product.csv", MAGENTO_CSV))

    # children are folded into MH01; the translation row and the orphan are not products
    assert [p.id for p in catalog.products] == ["MH01", "24-MB01"]
    hoodie = catalog.get("MH01")
    assert hoodie is not None
    assert hoodie.type == "configurable"
    assert hoodie.categories == ("Men/Tops/Hoodies", "Collections/Eco Friendly")
    assert hoodie.description == "Ideal for cold-weather training.\n- Cotton & polyester"
    assert [(v.sku, v.color, v.size, v.price) for v in hoodie.variants] == [
        ("MH01-S-Black", "Black", "S", 52.0),
        ("MH01-M-Black", "Black", "M", 52.0),
        ("MH01-S-Gray", "Gray", "S", 55.0),
    ]
    assert hoodie.price == 52.0  # the configurable has no price of its own
    assert hoodie.attributes["material"] == ("Cotton", "Polyester")
    assert hoodie.attributes["eco_collection"] is True
    assert hoodie.attributes["pattern"] == "Solid"
    assert [(i.file, i.view, i.color) for i in hoodie.images] == [
        ("images/mh01-gray_main.jpg", "main", "Gray"),
        ("images/mh01-black_main.jpg", "main", "Black"),
    ]
    assert hoodie.links.related == ("24-MB01",)

    bag = catalog.get("24-MB01")
    assert bag is not None
    assert (bag.price, bag.special_price) == (34.0, 29.0)
    assert bag.name == "Joust Duffle Bag"  # not the de_de store view's name
    assert bag.categories == ("Gear/Bags",)
    assert bag.attributes["features"] == ("Audio Pocket", "Laptop Sleeve, 15 inches")
    assert [(v.sku, v.color) for v in bag.variants] == [("24-MB01", "Blue")]
    assert [(i.file, i.color) for i in bag.images] == [("mb01-blue-0.jpg", "Blue")]
    assert bag.links.related == ("MH01",)  # a link to a child points at its parent

    found = messages(catalog)
    bad = first_line_of(MAGENTO_CSV, "24-MB02,")
    assert f"line {bad} (24-MB02): skipped: price is not a number: 'abc'" in found
    orphan = first_line_of(MAGENTO_CSV, "24-XX99,")
    assert any(m.startswith(f"line {orphan}: skipped: 24-XX99 is not visible") for m in found)
    assert any("image file not found: images/mh01-gray_back.jpg" in m for m in found)
    assert len(found) == 3


CUSTOM_CSV = (
    "\ufeffItem No;Title;Price EUR;Sale;Colour;Size;Photo;Category;Brand;Material\r\n"
    "T-100;Linen Shirt;49,90;39,90;White;M;photos/t100-white.jpg;Men > Shirts;Nordwear;"
    "Linen|Cotton\r\n"
    "T-100;;49,90;;Navy;L;https://img.example/t100-navy.jpg;;;\r\n"
    'T-200;"Wool\r\nScarf";1.234,5;;;;;Accessories;Nordwear;Wool\r\n'
    "T-300;Rain Hat;12;;;;;Accessories;;\r\n"
)
CUSTOM_MAPPING = {
    "id": "Item No",
    "name": "Title",
    "price": "Price EUR",
    "special_price": "Sale",
    "color": "Colour",
    "size": "Size",
    "images": "Photo",
    "categories": "Category",
    "attributes": {"brand": "Brand", "material": "Material"},
}


def test_custom_mapping_semicolons_bom_and_decimal_commas(tmp_path: Path) -> None:
    mapping = tmp_path / "mapping.json"
    mapping.write_text(json.dumps(CUSTOM_MAPPING), encoding="utf-8")
    source = tmp_path / "feed.csv"
    source.write_bytes(CUSTOM_CSV.encode("utf-8"))
    add_photos(tmp_path, "photos/t100-white.jpg", "images/t100-navy.jpg")

    catalog = load_catalog(source, csv_mapping=str(mapping))

    assert [p.id for p in catalog.products] == ["T-100", "T-300"]
    shirt = catalog.products[0]
    assert (shirt.name, shirt.price, shirt.special_price) == ("Linen Shirt", 49.9, 39.9)
    assert [(v.color, v.size, v.price) for v in shirt.variants] == [
        ("White", "M", 49.9),
        ("Navy", "L", 49.9),
    ]
    assert shirt.categories == ("Men/Shirts",)
    assert shirt.attributes == {"brand": "Nordwear", "material": ("Linen", "Cotton")}
    assert [(i.file, i.color) for i in shirt.images] == [
        ("photos/t100-white.jpg", "White"),
        ("images/t100-navy.jpg", "Navy"),
    ]
    # "1.234,5" is neither a plain nor a comma-decimal number: skipped at line 4,
    # and the quoted line break inside its name moves the next product to line 6
    assert messages(catalog)[0] == "line 4 (T-200): skipped: price is not a number: '1.234,5'"
    assert catalog.products[1].name == "Rain Hat"


def test_mapping_file_next_to_the_csv_and_builtin_names(tmp_path: Path) -> None:
    (tmp_path / "mapping.json").write_text(json.dumps(CUSTOM_MAPPING), encoding="utf-8")
    source = write(tmp_path, "feed.csv", CUSTOM_CSV)
    rows = list(read_csv_rows(source, "mapping.json"))
    assert [line for line, _ in rows] == [2, 4, 6]

    shopify = write(tmp_path, "shopify.csv", SHOPIFY_CSV)
    assert list(read_csv_rows(shopify)) == list(read_csv_rows(shopify, "Shopify"))
    with pytest.raises(CatalogError, match="not a magento export"):
        read_csv_rows(shopify, "magento")
    magento = write(tmp_path, "magento.csv", MAGENTO_CSV)
    assert list(read_csv_rows(magento)) == list(read_csv_rows(magento, "magento"))


def test_unknown_header_lists_the_mappings(tmp_path: Path) -> None:
    source = write(tmp_path, "feed.csv", "Artikel,Preis\nA1,3\n")
    with pytest.raises(CatalogError) as caught:
        load_catalog(source)
    assert "artikel" in str(caught.value)
    assert "shopify" in str(caught.value) and "magento" in str(caught.value)
    with pytest.raises(CatalogError, match="unknown CSV mapping 'woo'"):
        load_catalog(source, csv_mapping="woo")


@pytest.mark.parametrize(
    ("spec", "complaint"),
    [
        ({"id": "Artikel", "price": "Preis"}, "missing \\['name'\\]"),
        ({"id": "Artikel", "name": "Artikel", "price": "Preis", "colour": "X"}, "unknown fields"),
        ({"id": "Artikel", "name": "Name", "price": "Preis"}, "lacks: \\['Name'\\]"),
        (["Artikel"], "must be a JSON object"),
    ],
)
def test_bad_mapping_files(tmp_path: Path, spec: object, complaint: str) -> None:
    mapping = tmp_path / "m.json"
    mapping.write_text(json.dumps(spec), encoding="utf-8")
    source = write(tmp_path, "feed.csv", "Artikel,Preis\nA1,3\n")
    with pytest.raises(CatalogError, match=complaint):
        load_catalog(source, csv_mapping=str(mapping))


def test_helpers() -> None:
    assert number("$1,299.00") == 1299.0
    assert number("19,99") == 19.99
    assert number("call us") is None and number("-3") is None and number("nan") is None
    assert plain_text("<p>A &lt;b&gt;<br>c</p><script>x()</script>") == "A <b>\nc"
    assert plain_text("line one\n  line   two &amp; more") == "line one\nline two & more"


HEADERS = st.sampled_from(["", SHOPIFY_HEADER + "\n", MAGENTO_HEADER + "\n", "sep=;\n"])
TEXT = st.text(
    alphabet=st.sampled_from(list(',;"\n\r\t|=<>&/:.-_ ')) | st.characters(codec="utf-8"),
    max_size=300,
)
BODIES = TEXT.map(str.encode) | st.binary(max_size=300)  # bytes: also not-UTF-8 files


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(header=HEADERS, body=BODIES, mapping=st.sampled_from([None, "shopify", "magento"]))
def test_arbitrary_csv_never_crashes(header: str, body: bytes, mapping: str | None) -> None:
    with tempfile.TemporaryDirectory() as folder:
        source = Path(folder) / "export.csv"
        source.write_bytes(header.encode() + body)
        try:
            catalog = load_catalog(source, csv_mapping=mapping)
        except CatalogError:
            return
        assert catalog.products
