// A chosen photo is made small before it leaves the phone: decoded upright,
// drawn at most 2000 px on the long side, sent as JPEG 0.85 (no EXIF, so no
// GPS); the field says the size before and after. Without this script, or
// for a file the browser cannot decode, the original goes. PDFs are left
// alone. The server checks and re-encodes every upload either way.
(() => {
  'use strict';
  const MAX = 2000;
  const made = new WeakSet(); // Files this script put into an input.
  const pending = new WeakMap(); // Per form, the work a submit waits for.
  try {
    new DataTransfer().items.add(new File([''], 'x'));
    if (!window.createImageBitmap || !HTMLCanvasElement.prototype.toBlob) return;
  } catch (e) {
    return;
  }

  // "420 KB", "3,6 MB", as the site writes sizes.
  const size = (b) => {
    if (b < 1048576) return Math.ceil(b / 1024) + ' KB';
    const t = Math.ceil(b / 104857.6);
    return Math.floor(t / 10) + ',' + (t % 10) + ' MB';
  };
  const isPhoto = (f) => /^image\//i.test(f.type) || /\.(jpe?g|png|hei[cf]|webp)$/i.test(f.name);

  // The photo as a smaller JPEG, or the file itself.
  async function shrink(file) {
    if (!isPhoto(file)) return file;
    try {
      const img = await createImageBitmap(file, { imageOrientation: 'from-image' });
      const k = Math.min(1, MAX / Math.max(img.width, img.height));
      const c = document.createElement('canvas');
      c.width = Math.max(1, Math.round(img.width * k));
      c.height = Math.max(1, Math.round(img.height * k));
      const g = c.getContext('2d');
      g.fillStyle = '#fff'; // A PNG's transparent parts become white, as on the server.
      g.fillRect(0, 0, c.width, c.height);
      g.imageSmoothingQuality = 'high';
      g.drawImage(img, 0, 0, c.width, c.height);
      img.close();
      const blob = await new Promise((done) => c.toBlob(done, 'image/jpeg', 0.85));
      c.width = c.height = 0;
      if (!blob || blob.size >= file.size) return file;
      const name = /\.jpe?g$/i.test(file.name) ? file.name : file.name.replace(/(\.[^.]*)?$/, '.jpg');
      return new File([blob], name, { type: 'image/jpeg', lastModified: file.lastModified });
    } catch (e) {
      return file; // Not decodable here (HEIC, damaged): the original goes.
    }
  }

  async function chosen(input) {
    const files = [...input.files];
    if (!files.some(isPhoto) || files.every((f) => made.has(f))) return;
    const id = input.id + '-ukuran';
    let note = document.getElementById(id);
    if (!note) {
      note = document.createElement('p');
      note.id = id;
      note.className = 'photo-size';
      note.setAttribute('aria-live', 'polite');
      input.after(note);
    }
    note.textContent = 'Foto sedang diperkecil…';
    const out = await Promise.all(files.map(shrink));
    note.textContent = '';
    if (input.files[0] !== files[0]) return; // Chosen again meanwhile.
    const before = files.reduce((n, f) => n + f.size, 0);
    const after = out.reduce((n, f) => n + f.size, 0);
    if (after >= before) return;
    const dt = new DataTransfer();
    for (const f of out) {
      made.add(f);
      dt.items.add(f);
    }
    input.files = dt.files;
    note.textContent = `Foto diperkecil sebelum dikirim: ${size(before)} → ${size(after)}.`;
  }

  document.addEventListener('change', (e) => {
    const input = e.target;
    if (input.type !== 'file' || !/image|jpe?g|png/i.test(input.accept) || !input.form) return;
    const work = chosen(input).catch(() => {});
    const all = Promise.all([pending.get(input.form), work]);
    pending.set(input.form, all);
    all.then(() => pending.get(input.form) === all && pending.delete(input.form));
  });

  // A form sent while a photo is being made small waits for it (15 s at most).
  document.addEventListener('submit', (e) => {
    const form = e.target;
    const work = pending.get(form);
    if (!work) return;
    e.preventDefault();
    if (work.waiting) return; // Pressed again: it goes once.
    work.waiting = true;
    const send = () => {
      pending.delete(form);
      if (form.requestSubmit) form.requestSubmit(e.submitter);
      else form.submit();
    };
    // A task of its own: within this submit event, a new one would be ignored.
    const later = () => setTimeout(send);
    Promise.race([work, new Promise((r) => setTimeout(r, 15000))]).then(later, later);
  });
})();
