// Photos made small before they leave the phone (a progressive enhancement).
//
// For each file input of a form that accepts images, a chosen photo is
// decoded in the browser (its EXIF orientation applied), drawn at most
// MAX_SIDE pixels on the long side and encoded anew as JPEG: a 12 MP camera
// photo of 3.6 MB becomes about 0.5 MB, which crosses a slow mobile uplink
// in seconds instead of a minute. Re-encoding keeps only pixels, so the EXIF
// (GPS location, phone model) stays on the phone. The field then says the
// size before and after, in a polite live region.
//
// Without JavaScript, in a browser that lacks what this needs, or when the
// browser cannot decode the file (HEIC in Chromium, a damaged file), the
// original is sent as before. A PDF is never touched. The server sanitizes
// every upload either way: nothing here is a check.

(function () {
  'use strict';

  var MAX_SIDE = 2000;
  var QUALITY = 0.85;
  // Longest a submit waits for a photo still being made small; then the
  // form goes with whatever file the field holds.
  var PATIENCE_MS = 15000;

  if (!window.DataTransfer || !window.Promise || !HTMLCanvasElement.prototype.toBlob) return;
  try {
    new DataTransfer().items.add(new File([''], 'x.txt'));
  } catch (e) {
    return; // No way to put a file into an input here.
  }

  // Files this script made, so setting them is never taken for a new choice.
  var made = new WeakSet();
  // Per form, the work still going on.
  var pending = new WeakMap();
  // Forms whose submit waits for that work.
  var waiting = new WeakSet();

  /** "420 KB", "3,6 MB": the sizes as the site writes them elsewhere. */
  function sizeText(bytes) {
    if (bytes < 1024 * 1024) return Math.ceil(bytes / 1024) + ' KB';
    var tenths = Math.ceil((bytes * 10) / (1024 * 1024));
    return Math.floor(tenths / 10) + ',' + (tenths % 10) + ' MB';
  }

  function acceptsImages(input) {
    return /image\/|\.jpe?g|\.png/i.test(input.accept || '');
  }

  function isImage(file) {
    return /^image\//i.test(file.type) || /\.(jpe?g|png|heic|heif|webp)$/i.test(file.name);
  }

  /** The decoded, upright image: an ImageBitmap, or an <img> where that is missing. */
  function decode(file) {
    if (window.createImageBitmap) {
      return createImageBitmap(file, { imageOrientation: 'from-image' });
    }
    // A data: URL, as the site's Content-Security-Policy allows (img-src
    // 'self' data:), not a blob: URL.
    return new Promise(function (resolve, reject) {
      var reader = new FileReader();
      reader.onerror = reject;
      reader.onload = function () {
        var img = new Image();
        img.onload = function () {
          resolve(img);
        };
        img.onerror = reject;
        img.src = reader.result;
      };
      reader.readAsDataURL(file);
    });
  }

  /** The photo as a smaller JPEG File, or null to send the original. */
  function shrink(file) {
    return decode(file).then(function (image) {
      var width = image.naturalWidth || image.width;
      var height = image.naturalHeight || image.height;
      if (!width || !height) return null;
      var scale = Math.min(1, MAX_SIDE / Math.max(width, height));
      var canvas = document.createElement('canvas');
      canvas.width = Math.max(1, Math.round(width * scale));
      canvas.height = Math.max(1, Math.round(height * scale));
      var g = canvas.getContext('2d');
      // Transparent parts of a PNG become white, as on the server.
      g.fillStyle = '#fff';
      g.fillRect(0, 0, canvas.width, canvas.height);
      g.imageSmoothingQuality = 'high';
      g.drawImage(image, 0, 0, canvas.width, canvas.height);
      if (image.close) image.close();
      return new Promise(function (resolve) {
        canvas.toBlob(
          function (blob) {
            canvas.width = canvas.height = 0; // Free the pixels now.
            if (!blob || blob.size >= file.size) return resolve(null);
            var name = file.name.replace(/\.[^.]*$/, '') + '.jpg';
            if (/\.jpe?g$/i.test(file.name)) name = file.name;
            resolve(new File([blob], name, { type: 'image/jpeg', lastModified: file.lastModified }));
          },
          'image/jpeg',
          QUALITY
        );
      });
    });
  }

  /** The live region below a field's input, made once. */
  function statusOf(input) {
    var id = input.id + '-ukuran';
    var status = document.getElementById(id);
    if (!status) {
      status = document.createElement('p');
      status.id = id;
      status.className = 'photo-size';
      status.setAttribute('aria-live', 'polite');
      input.insertAdjacentElement('afterend', status);
    }
    return status;
  }

  function onChange(input) {
    var files = Array.prototype.slice.call(input.files || []);
    if (!files.length || files.every(function (f) { return made.has(f); })) return;
    var status = statusOf(input);
    var photos = files.filter(isImage);
    if (!photos.length) {
      status.textContent = '';
      return;
    }
    status.textContent = 'Foto sedang diperkecil…';
    var work = Promise.all(
      files.map(function (file) {
        if (!isImage(file)) return file;
        return shrink(file).then(
          function (small) {
            return small || file;
          },
          function () {
            return file; // Not decodable here: the original goes, as without JavaScript.
          }
        );
      })
    ).then(function (chosen) {
      // A newer choice since: leave the field to it.
      if (input.files.length !== files.length || input.files[0] !== files[0]) return;
      var before = 0;
      var after = 0;
      var dt = new DataTransfer();
      chosen.forEach(function (file, i) {
        before += files[i].size;
        after += file.size;
        if (file !== files[i]) made.add(file);
        dt.items.add(file);
      });
      if (after < before) {
        input.files = dt.files;
        status.textContent = 'Foto diperkecil sebelum dikirim: ' + sizeText(before) + ' → ' + sizeText(after) + '.';
      } else {
        status.textContent = '';
      }
    }).catch(function () {
      status.textContent = ''; // Whatever went wrong, the field keeps the original.
    });
    var form = input.form;
    if (form) {
      var all = Promise.all([pending.get(form), work]);
      pending.set(form, all);
      all.then(function () {
        if (pending.get(form) === all) pending.delete(form);
      });
    }
  }

  document.addEventListener('change', function (event) {
    var input = event.target;
    if (input instanceof HTMLInputElement && input.type === 'file' && acceptsImages(input)) onChange(input);
  });

  // A form sent while a photo is still being made small waits for it (at
  // most PATIENCE_MS), then goes as the citizen sent it.
  document.addEventListener('submit', function (event) {
    var form = event.target;
    var work = pending.get(form);
    if (!work) return;
    event.preventDefault();
    if (waiting.has(form)) return; // Pressed again: it goes once.
    waiting.add(form);
    var submitter = event.submitter;
    var waited = new Promise(function (resolve) {
      setTimeout(resolve, PATIENCE_MS);
    });
    var send = function () {
      pending.delete(form);
      waiting.delete(form);
      if (form.requestSubmit) form.requestSubmit(submitter || undefined);
      else form.submit();
    };
    Promise.race([work, waited]).then(send, send);
  });
})();
