--[[
tables.lua -- HTML only: each table in a box of its own that scrolls sideways on a phone.

A wide table scrolls inside its box instead of widening the page; its caption moves out of
the <table> into a <figcaption> above the box (as Quarto lays tables out), so the caption
wraps at the page's width rather than the table's. Runs after crossref.lua (captions already
numbered); the table's id moves to the figure, where links point.
]]

function Table(tbl)
  if not FORMAT:match("html") then
    return nil
  end
  local caption = tbl.caption
  local id = tbl.identifier
  tbl.caption = pandoc.Caption()
  tbl.identifier = ""
  local box = pandoc.Div({ tbl }, pandoc.Attr("", { "table-scroll" }, { tabindex = "0" }))
  if #caption.long == 0 then
    return box
  end
  return pandoc.Figure({ box }, caption, pandoc.Attr(id, { "table" }))
end
