"""Draw the app's icons: "ĐH" in white on the navbar's blue (static/icons/, static/root/).

Run from the repository's root: `.venv/bin/python scripts/draw_icons.py` (Pillow comes with
WeasyPrint; the font is Debian's fonts-dejavu-core). static/icons/icon.svg is drawn by hand.
"""

from PIL import Image, ImageDraw, ImageFont

BLUE = (10, 88, 202)  # #0a58ca, --bs-primary-rgb of the navbar (static/css/app.css)
WHITE = (255, 255, 255)
FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"
OUT = "static/icons/"


def draw(size, *, rounded, text_share, scale=4, bar=True):
    big = size * scale
    img = Image.new("RGBA", (big, big), (0, 0, 0, 0))
    d = ImageDraw.Draw(img)
    if rounded:
        d.rounded_rectangle((0, 0, big - 1, big - 1), radius=int(big * 0.2), fill=BLUE)
    else:
        d.rectangle((0, 0, big, big), fill=BLUE)
    # the largest font whose "ĐH" fits text_share of the width
    target = big * text_share
    fs = 10
    while True:
        font = ImageFont.truetype(FONT, fs + 2)
        left, t, r, b = d.textbbox((0, 0), "ĐH", font=font)
        if r - left > target:
            break
        fs += 2
    font = ImageFont.truetype(FONT, fs)
    left, t, r, b = d.textbbox((0, 0), "ĐH", font=font)
    bar_w = (r - left) * 0.9
    bar_h = max(scale, big * 0.035) if bar else 0
    gap = big * 0.05 if bar else 0
    group = (b - t) + gap + bar_h
    x = (big - (r - left)) / 2 - left
    y = (big - group) / 2 - t
    d.text((x, y), "ĐH", font=font, fill=WHITE)
    # a thin underline under the letters
    by = y + b + gap
    if bar:
        d.rounded_rectangle(
            ((big - bar_w) / 2, by, (big + bar_w) / 2, by + bar_h), radius=bar_h / 2, fill=WHITE
        )
    return img.resize((size, size), Image.LANCZOS)


for size in (192, 512):
    draw(size, rounded=True, text_share=0.66).save(f"{OUT}icon-{size}.png", optimize=True)
# maskable: full bleed, the letters inside the central safe circle (40% radius)
draw(512, rounded=False, text_share=0.5).save(f"{OUT}icon-maskable-512.png", optimize=True)
# iOS rounds the corners itself and shows transparency as black: full bleed, opaque
draw(180, rounded=False, text_share=0.62).convert("RGB").save(
    f"{OUT}apple-touch-icon.png", optimize=True
)
ico = draw(256, rounded=True, text_share=0.84, bar=False)
ico.save("static/root/favicon.ico", sizes=[(16, 16), (32, 32), (48, 48)])
