--[[
callouts.lua -- Quarto callouts (::: {.callout-note title="..."}) for plain Pandoc.

HTML: a <div class="callout callout-note"> with a bold title row, styled by report.css.
Typst: a raw #block(...)[ ... ] around the content, since Pandoc's Typst writer has no
notion of a styled div. Accent colours are from the Okabe-Ito colour-blind-safe palette;
the title always names the kind, so colour is never the only cue.
]]

-- kind -> default title, accent colour, pale fill
local KINDS = {
  note = { "Note", "#0072B2", "#EAF3FA" },
  tip = { "Tip", "#009E73", "#E8F6F1" },
  important = { "Important", "#CC79A7", "#FAEEF5" },
  warning = { "Warning", "#E69F00", "#FDF5E5" },
  caution = { "Caution", "#D55E00", "#FBEDE5" },
}

local function callout_kind(div)
  for _, class in ipairs(div.classes) do
    local kind = class:match("^callout%-(%a+)$")
    if kind and KINDS[kind] then
      return kind
    end
  end
end

-- Title from title="..." (Markdown allowed), else a leading heading, else the default.
local function take_title(div, kind)
  local title = div.attributes["title"]
  if title then
    return pandoc.utils.blocks_to_inlines(pandoc.read(title, "markdown").blocks), div.content
  end
  local first = div.content[1]
  if first and first.t == "Header" then
    return first.content, div.content:slice(2)
  end
  return pandoc.Inlines { pandoc.Str(KINDS[kind][1]) }, div.content
end

function Div(div)
  local kind = callout_kind(div)
  if not kind then
    return nil
  end
  local title, body = take_title(div, kind)
  local _, accent, fill = table.unpack(KINDS[kind])

  if FORMAT:match("typst") then
    local open = string.format(
      '#block(width: 100%%, breakable: true, fill: rgb("%s"), inset: (x: 10pt, y: 8pt), '
        .. 'radius: 3pt, stroke: (left: 3pt + rgb("%s"), rest: 0.5pt + rgb("%s")))[',
      fill, accent, accent)
    -- The title is sticky: a page break never falls between it and the box's first line.
    local blocks = pandoc.Blocks {
      pandoc.RawBlock("typst", open),
      pandoc.RawBlock("typst", "#block(sticky: true)["),
      pandoc.Para { pandoc.Strong(title) },
      pandoc.RawBlock("typst", "]"),
    }
    blocks:extend(body)
    blocks:insert(pandoc.RawBlock("typst", "]"))
    return blocks
  end

  if FORMAT:match("html") then
    local head = pandoc.Div(pandoc.Plain { pandoc.Strong(title) }, { class = "callout-title" })
    local classes = { "callout", "callout-" .. kind }
    return pandoc.Div({ head, pandoc.Div(body, { class = "callout-body" }) },
      pandoc.Attr(div.identifier, classes, { role = "note" }))
  end
end
