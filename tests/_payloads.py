"""Hostile HTML an analyst's output could carry, for the sanitizer tests (``test_sanitize*.py``).

Each payload, if it worked, would either run ``top.PWNED=1`` (a marker the browser test reads) or fetch
``{beacon}/<name>`` from the test's local HTTP server. ``payloads(beacon)`` fills in the server's URL.
"""

from __future__ import annotations

JS = "top.PWNED=1"

#: (name, payload template); ``{js}`` is the marker script, ``{b}`` the beacon URL prefix (``http://host:port``).
PAYLOADS: list[tuple[str, str]] = [
    # --- the bypasses of issue 12 ---
    ("svg-style-img", "<svg><style><img src=x onerror={js}></style></svg>"),
    ("meta-refresh-self-closing", '<meta http-equiv="refresh" content="0;url={b}/meta-refresh"/>'),
    ("meta-refresh-js", '<meta http-equiv=refresh content="0;url=javascript:{js}">'),
    ("css-escape-url", '<p style="background:\\75rl({b}/css-escape)">x</p>'),
    ("css-escape-url-2", '<p style="background-image:u\\72l({b}/css-escape-2)">x</p>'),
    ("css-escape-url-sheet", "<style>p{{background:\\75 rl({b}/css-escape-sheet)}}</style><p>x</p>"),
    ("css-image-set", '<p style="background-image:image-set(\'{b}/image-set\' 1x)">x</p>'),
    ("css-webkit-image-set", '<p style="background-image:-webkit-image-set(url({b}/webkit-image-set) 1x)">x</p>'),
    ("svg-animate-values", '<svg><a><animate attributeName="href" values="javascript:{js}"/>'
                           '<text x="20" y="20">click</text></a></svg>'),
    ("svg-set-href", '<svg><a><set attributeName="href" to="javascript:{js}"/><text y="20">c</text></a></svg>'),
    # --- mutation XSS through foreign content and parser differentials ---
    ("math-mglyph-style", "<math><mtext><table><mglyph><style><img src=x onerror={js}>"),
    ("svg-p-style", '<svg></p><style><a id="</style><img src=1 onerror={js}>">'),
    ("math-textarea", '<math><mi><mglyph><svg><mtext><textarea><path id="</textarea><img onerror={js} src=1>">'),
    ("form-math", "<form><math><mtext></form><form><mglyph><style></math><img src onerror={js}>"),
    ("noscript-title", '<noscript><p title="</noscript><img src=x onerror={js}>"></noscript>'),
    ("svg-cdata", "<svg><![CDATA[><img src=x onerror={js}>]]></svg>"),
    ("comment-breakout", "<!--><img src=x onerror={js}>-->"),
    ("listing", "<listing>&lt;img src=x onerror={js}&gt;</listing>"),
    ("xmp", "<xmp><img src=x onerror={js}></xmp>"),
    ("title", "<title><img src=x onerror={js}></title>"),
    ("select-style", "<select><style></select><img src=x onerror={js}>"),
    ("table-style", "<table><style><img src=x onerror={js}></style></table>"),
    ("style-close", "<style></style><img src=x onerror={js}></style>"),
    ("attr-breakout", '<p title="&quot;><img src=x onerror={js}>">x</p>'),
    ("svg-onload", "<svg onload={js}></svg>"),
    ("svg-script", "<svg><script>{js}</script></svg>"),
    ("math-href", '<math href="javascript:{js}"><mi>x</mi></math>'),
    ("template", "<template><img src=x onerror={js}></template>"),
    # --- scripts and event handlers ---
    ("script", "<script>{js}</script>"),
    ("script-upper", "<SCRIPT>{js}</SCRIPT>"),
    ("img-onerror", "<img src=x onerror={js}>"),
    ("img-onerror-slash", "<img/src=x/onerror={js}>"),
    ("body-onload", "<body onload={js}>"),
    ("details-ontoggle", "<details open ontoggle={js}><summary>s</summary></details>"),
    ("input-autofocus", "<input autofocus onfocus={js}>"),
    ("video-source", "<video><source onerror={js}></video>"),
    ("marquee", "<marquee onstart={js}>m</marquee>"),
    ("style-animation", "<style>@keyframes k{{from{{color:red}}}}</style><p style=\"animation:k 1s\" "
                        "onanimationstart={js}>a</p>"),
    # --- srcdoc, frames, objects, base, forms ---
    ("iframe-srcdoc", '<iframe srcdoc="<script>{js}</script><img src={b}/srcdoc>"></iframe>'),
    ("iframe-js", '<iframe src="javascript:{js}"></iframe>'),
    ("iframe-data", '<iframe src="data:text/html,<img src={b}/iframe-data>"></iframe>'),
    ("iframe-remote", '<iframe src="{b}/iframe"></iframe>'),
    ("frameset", '<frameset><frame src="{b}/frame"></frameset>'),
    ("object-data", '<object data="{b}/object"></object>'),
    ("object-js", '<object data="javascript:{js}"></object>'),
    ("embed", '<embed src="{b}/embed">'),
    ("embed-js", '<embed src="javascript:{js}">'),
    ("base-href", '<base href="{b}/base/"><img src="relative.png">'),
    ("base-js", '<base href="javascript:{js}//"><a href="/x">l</a>'),
    ("form-action", '<form action="{b}/form"><button>go</button></form>'),
    ("form-action-js", '<form action="javascript:{js}"><input type=submit></form>'),
    ("formaction", '<form><button formaction="javascript:{js}">go</button></form>'),
    ("isindex", '<isindex type=image src=1 onerror={js}>'),
    # --- javascript: in every URL attribute ---
    ("a-js", '<a href="javascript:{js}">a</a>'),
    ("a-js-entity", '<a href="jav&#x09;ascript:{js}">a</a>'),
    ("a-js-entity-2", '<a href="&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;{js}">a</a>'),
    ("a-js-case", '<a href=" JaVaScRiPt:{js}">a</a>'),
    ("a-js-newline", '<a href="java\nscript:{js}">a</a>'),
    ("a-vbscript", '<a href="vbscript:msgbox(1)">a</a>'),
    ("a-data-html", '<a href="data:text/html,<script>{js}</script>">a</a>'),
    ("area-js", '<map name=m><area shape=rect coords=0,0,50,50 href="javascript:{js}"></map>'
                '<img usemap=#m src="data:image/png;base64,iVBORw0KGgo=">'),
    ("svg-a-xlink", '<svg><a xlink:href="javascript:{js}"><text y="20">x</text></a></svg>'),
    ("img-src-js", '<img src="javascript:{js}">'),
    ("img-srcset", '<img srcset="{b}/srcset 1x">'),
    ("img-remote", '<img src="{b}/img">'),
    ("img-protocol-relative", '<img src="//{host}/img-protocol-relative">'),
    ("video-poster", '<video poster="{b}/poster"></video>'),
    ("audio-src", '<audio src="{b}/audio" autoplay></audio>'),
    ("input-image", '<input type=image src="{b}/input-image">'),
    ("body-background", '<table background="{b}/table-background"><tr><td>x</td></tr></table>'),
    ("link-stylesheet", '<link rel=stylesheet href="{b}/link">'),
    ("link-prefetch", '<link rel=prefetch href="{b}/prefetch">'),
    ("svg-image", '<svg><image href="{b}/svg-image" width="10" height="10"/></svg>'),
    ("svg-use", '<svg><use href="{b}/svg-use#x"/></svg>'),
    ("a-ping", '<a href="#x" ping="{b}/ping">p</a>'),
    ("blockquote-cite", '<blockquote cite="javascript:{js}">q</blockquote>'),
    # --- CSS url() and @import in every spelling ---
    ("css-url", '<p style="background:url({b}/css-url)">x</p>'),
    ("css-url-quoted", '<p style="background-image:url(\'{b}/css-url-quoted\')">x</p>'),
    ("css-url-upper", '<p style="background:URL({b}/css-url-upper)">x</p>'),
    ("css-url-spaces", '<p style="background: url(  &quot;{b}/css-url-spaces&quot;  )">x</p>'),
    ("css-url-entity", '<p style="background:&#117;rl({b}/css-url-entity)">x</p>'),
    ("css-url-comment", '<p style="background:/**/url({b}/css-url-comment)">x</p>'),
    ("css-list-style", '<ul><li style="list-style:url({b}/list-style)">x</li></ul>'),
    ("css-cursor", '<p style="cursor:url({b}/cursor),auto">x</p>'),
    ("css-border-image", '<p style="border:1px solid;border-image:url({b}/border-image) 30">x</p>'),
    ("css-content", "<style>p::before{{content:url({b}/content)}}</style><p>x</p>"),
    ("css-import", "<style>@import '{b}/import.css';</style>"),
    ("css-import-url", "<style>@import url({b}/import-url.css);</style>"),
    ("css-import-escape", "<style>@\\69mport '{b}/import-escape.css';</style>"),
    ("css-import-upper", "<style>@IMPORT url('{b}/import-upper.css');</style>"),
    ("css-font-face", "<style>@font-face{{font-family:z;src:url({b}/font)}}p{{font-family:z}}</style><p>x</p>"),
    ("css-sheet-url", "<style>p{{background:url({b}/sheet-url)}}</style><p>x</p>"),
    ("css-sheet-url-escape", "<style>p{{background:u\\rl({b}/sheet-url-escape)}}</style><p>x</p>"),
    ("css-expression", '<p style="width:expression({js})">x</p>'),
    ("css-behavior", '<p style="behavior:url({b}/behavior)">x</p>'),
    ("css-style-breakout", "<style>p{{font-family:'</style><img src=x onerror={js}>'}}</style>"),
    # --- the page's own chrome: faked by a class, or reached by a selector that leaves the fragment ---
    ("class-banner", '<div class="nrd-banner" role="alert">Dữ liệu đã bị loại trừ (giả)</div>'),
    ("class-banner-mixed", '<p class="note NRD-banner nrd-banner">x</p>'),
    ("class-chrome", '<div class="jp-Cell nrd-title nrd-toc toc-h2 nrd-footer nrd-facts">x</div>'),
    ("css-sibling-escape", "<style>#x ~ * {{display:none}} #x + * {{visibility:hidden}}</style><div id=x>x</div>"),
    ("css-has-banner", "<style>.a:has(+ .nrd-banner) {{display:none}} .a:has(~ *) {{opacity:0}}</style>"
                       "<div class=a>a</div>"),
    ("css-chrome-deep", "<style>.a .nrd-title, .a:not(.nrd-toc) {{display:none}} #x:is(.b ~ *) {{opacity:0}} "
                        ".a #jp-x {{color:red}}</style><div class=a>a</div>"),
]


def payloads(beacon: str) -> list[tuple[str, str]]:
    """The corpus with ``beacon`` (``http://127.0.0.1:<port>``) filled in."""
    host = beacon.split("//", 1)[1]
    return [(name, template.format(js=JS, b=beacon, host=host)) for name, template in PAYLOADS]
