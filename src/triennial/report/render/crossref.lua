--[[
crossref.lua -- Quarto-style cross-references for plain Pandoc.

Numbers figures with a "fig-" id, tables with a "tbl-" id and sections the way
Pandoc's --number-sections (HTML) and Typst's heading numbering do, prefixes the
captions ("Figure 1: ..."), turns fig-alt into the image's alt text, and replaces
@fig-x / @tbl-x / @sec-x citations by links ("Figure 1", "Table 2", "Section 3.1").

It must run before --citeproc: citeproc would otherwise report @fig-x as a missing
citation. A reference to an id that does not exist is an error, never "??".
]]

local LABELS = { fig = "Figure", tbl = "Table", sec = "Section" }

-- id -> text of its number ("1", "3.1"); for unnumbered sections, the heading text.
local numbers = {}

local function kind_of(id)
  local k = id:match("^(%a+)%-")
  return k and LABELS[k] and k or nil
end

-- Put "Figure 1: " in front of a caption (Caption.long is a list of blocks).
local function prefix_caption(caption, text)
  local prefix = pandoc.Inlines { pandoc.Str(text .. ":"), pandoc.Space() }
  if #caption.long == 0 then
    caption.long = { pandoc.Plain(pandoc.Str(text)) }
  elseif caption.long[1].content then
    caption.long[1].content = prefix .. caption.long[1].content
  else
    caption.long:insert(1, pandoc.Plain(prefix))
  end
  return caption
end

-- fig-alt="..." is Quarto's way to give alt text distinct from the caption.
local function apply_alt(figure)
  local alt = figure.attributes["fig-alt"]
  figure.attributes["fig-alt"] = nil
  return figure:walk {
    Image = function(img)
      local text = img.attributes["fig-alt"] or alt
      img.attributes["fig-alt"] = nil
      if text then
        img.caption = pandoc.Inlines { pandoc.Str(text) }
      end
      return img
    end,
  }
end

local function numbering_filter(number_sections)
  local counts = { fig = 0, tbl = 0 }
  local levels = {}
  -- A figure or table whose id is of `kind` takes the next number and a caption prefix.
  local function number_float(el, kind)
    if kind_of(el.identifier) == kind then
      counts[kind] = counts[kind] + 1
      numbers[el.identifier] = tostring(counts[kind])
      el.caption = prefix_caption(el.caption, LABELS[kind] .. " " .. counts[kind])
    end
    return el
  end
  return {
    traverse = "topdown", -- document order, so numbers follow reading order
    Header = function(h)
      local numbered = number_sections and not h.classes:includes("unnumbered")
      if numbered then
        levels[h.level] = (levels[h.level] or 0) + 1
        for l = h.level + 1, 6 do
          levels[l] = nil
        end
      end
      if kind_of(h.identifier) == "sec" then
        if numbered then
          local parts = {}
          for l = 1, h.level do
            parts[#parts + 1] = tostring(levels[l] or 0)
          end
          numbers[h.identifier] = table.concat(parts, ".")
        else
          numbers[h.identifier] = pandoc.utils.stringify(h.content)
        end
      end
    end,
    Figure = function(fig)
      return number_float(apply_alt(fig), "fig")
    end,
    Table = function(tbl)
      return number_float(tbl, "tbl")
    end,
  }
end

-- Replace a Cite made only of cross-references by links; leave real citations to citeproc.
local function resolve(cite)
  local xrefs = 0
  for _, c in ipairs(cite.citations) do
    if kind_of(c.id) then
      xrefs = xrefs + 1
    end
  end
  if xrefs == 0 then
    return nil
  end
  if xrefs < #cite.citations then
    error("crossref: cannot mix cross-references and citations in one [...]: "
      .. pandoc.utils.stringify(cite.content), 0)
  end
  local out = pandoc.Inlines {}
  for i, c in ipairs(cite.citations) do
    local kind = kind_of(c.id)
    local number = numbers[c.id]
    if not number then
      error("crossref: unresolved cross-reference @" .. c.id .. " (no element has id #" .. c.id .. ")", 0)
    end
    local text = number
    local unnumbered_sec = kind == "sec" and not number:match("^[%d.]+$")
    if c.mode ~= "SuppressAuthor" and not unnumbered_sec then
      text = LABELS[kind] .. " " .. number -- -@fig-x gives the bare number, as in Quarto
    end
    if i > 1 then
      out:extend { pandoc.Str(";"), pandoc.Space() }
    end
    if #c.prefix > 0 then
      out:extend(c.prefix .. { pandoc.Space() })
    end
    out:insert(pandoc.Link(text, "#" .. c.id))
    out:extend(c.suffix)
  end
  return out
end

function Pandoc(doc)
  local number_sections = doc.meta["number-sections"] == true
  doc = doc:walk(numbering_filter(number_sections))
  return doc:walk { Cite = resolve }
end
