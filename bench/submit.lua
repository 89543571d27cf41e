-- wrk script: complete multipart submissions of the permohonan form, each
-- one different (the description carries the thread and a counter: loket
-- stores identical posts once). The KTP is the file named by env KTP_FILE
-- (bench/ktp.py makes a PDF or a photo the sanitizer accepts); without it,
-- KTP_BYTES (default 200 KB) of bytes that only start like a JPEG, which
-- builds before the sanitizer stored and current ones refuse (422).
-- Counts 303s as success.
local ktp, ktp_name, ktp_type
local ktp_file = os.getenv("KTP_FILE")
if ktp_file then
  local f = assert(io.open(ktp_file, "rb"))
  ktp = f:read("*a")
  f:close()
  if ktp_file:match("%.pdf$") then
    ktp_name, ktp_type = "ktp.pdf", "application/pdf"
  else
    ktp_name, ktp_type = "ktp.jpg", "image/jpeg"
  end
else
  local size = tonumber(os.getenv("KTP_BYTES") or "204800")
  ktp = "\255\216\255\224" .. string.rep("x", size - 4)
  ktp_name, ktp_type = "ktp.jpg", "image/jpeg"
end
local boundary = "----loketBenchBoundary"
local fields = {
  jenis = "konsultasi", nama = "Siti Aminah", nik = "3517015205900001",
  alamat = "Jl. Merdeka 1", telepon = "0812 3456 7890", nama_usaha = "Keripik",
  bidang_usaha = "Makanan", alamat_usaha = "Jombang", persetujuan = "ya",
}
local function part(name, value)
  return "--" .. boundary .. "\r\nContent-Disposition: form-data; name=\"" ..
    name .. "\"\r\n\r\n" .. value .. "\r\n"
end
local parts = {}
for name, value in pairs(fields) do
  parts[#parts + 1] = part(name, value)
end
local head = table.concat(parts)
local tail = "--" .. boundary ..
  "\r\nContent-Disposition: form-data; name=\"ktp\"; filename=\"" .. ktp_name ..
  "\"\r\nContent-Type: " .. ktp_type .. "\r\n\r\n" ..
  ktp .. "\r\n--" .. boundary .. "--\r\n"

wrk.method = "POST"
wrk.path = "/permohonan/"
wrk.headers["Content-Type"] = "multipart/form-data; boundary=" .. boundary

local sent = 0
function request()
  sent = sent + 1
  local uraian = part("uraian", "Uji beban " .. id .. "-" .. sent)
  return wrk.format(nil, nil, nil, head .. uraian .. tail)
end

-- Per-thread counters (globals, so that done() can read them through the
-- thread objects: each thread runs its own Lua state).
local threads = {}
function setup(thread)
  threads[#threads + 1] = thread
  thread:set("id", #threads)
end

function init(args)
  ok, other = 0, 0
end

function response(status, headers, body)
  if status == 303 then ok = ok + 1 else other = other + 1 end
end

function done(summary, latency, requests)
  local o, b = 0, 0
  for _, t in ipairs(threads) do
    o = o + t:get("ok")
    b = b + t:get("other")
  end
  io.write(string.format("303 responses: %d, non-303: %d\n", o, b))
end
